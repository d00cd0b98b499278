// `lanterna-cli models scan [DIR…]`: one JSON line per model file or diffusers folder — path, detected
// architecture, components, dtype, size, usable, and the reason when it is not.
#include <QFileInfo>

#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "lanterna/app/model_library.h"

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
}

}  // namespace lanterna::cli
