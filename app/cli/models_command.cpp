// `lanterna-cli models scan [DIR…]`: one JSON line per model file or diffusers folder — path, detected
// architecture, components, dtype, size, usable, and the reason when it is not.
#include <QCoreApplication>
#include <QFileInfo>

#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "lanterna/app/model_library.h"
#include "lanterna/app/tokenizer_fetch.h"

namespace lanterna::cli {

void addModelsCommands(CLI::App& app, int& exitCode) {
  auto* models = app.add_subcommand("models", "The model library");
  models->require_subcommand(1);
  auto* scan = models->add_subcommand("scan", "Inspect every model in DIR (default: the models folders)");
  auto folders = std::make_shared<std::vector<std::string>>();
  scan->add_option("dir", *folders, "Folders to scan (a ComfyUI models/ tree is fine)");
  scan->callback([folders, &exitCode] {
    QStringList list;
    for (const auto& folder : *folders) {
      if (!QFileInfo(QString::fromStdString(folder)).isDir()) {
        std::cerr << "Cannot scan \"" << folder << "\": it is not a folder.\n";
        exitCode = kExitBadInput;
        return;
      }
      list << QString::fromStdString(folder);
    }
    const app::ModelLibrary library = list.isEmpty() ? app::ModelLibrary::fromSettings() : app::ModelLibrary(list);
    for (const app::ModelEntry& entry : library.scan()) {
      nlohmann::json line = {{"path", entry.path.toStdString()},
                             {"name", entry.name.toStdString()},
                             {"architecture", entry.architecture.toStdString()},
                             {"dtype", entry.dtype.toStdString()},
                             {"size_bytes", entry.sizeBytes},
                             {"usable", entry.usable}};
      nlohmann::json components = nlohmann::json::array();
      for (const QString& component : entry.components) components.push_back(component.toStdString());
      line["components"] = components;
      if (!entry.usable) line["reason"] = entry.reason.toStdString();
      std::cout << line.dump() << "\n";
    }
    exitCode = kExitOk;
  });

  auto* fetch = models->add_subcommand(
      "fetch-tokenizer", "Download the CLIP tokenizer files single-file checkpoints need (resumable, checksummed)");
  auto url = std::make_shared<std::string>();
  auto into = std::make_shared<std::string>();
  fetch->add_option("--url", *url, "Folder URL holding vocab.json and merges.txt (default: the model's repository)");
  fetch->add_option("--into", *into, "Destination folder (default: <models folder>/clip_tokenizer)");
  fetch->callback([url, into, &exitCode] {
    int argc = 1;
    char name[] = "lanterna-cli";
    char* argv[] = {name, nullptr};
    QCoreApplication application(argc, argv);  // the network stack needs an event loop
    app::TokenizerFetchOptions options;
    if (!url->empty()) options.baseUrl = QUrl(QString::fromStdString(*url));
    options.folder = QString::fromStdString(*into);
    options.progress = [](const QString& file, qint64 received, qint64 total) {
      std::cerr << "\r" << file.toStdString() << "  " << received / 1024 << " / " << (total > 0 ? total / 1024 : 0)
                << " KB" << std::flush;
    };
    auto folder = app::fetchClipTokenizer(options);
    std::cerr << "\n";
    if (!folder) {
      std::cerr << folder.error().message << "\n";
      exitCode = kExitFailure;
      return;
    }
    std::cout << folder->toStdString() << "\n";
    exitCode = kExitOk;
  });
}

}  // namespace lanterna::cli
