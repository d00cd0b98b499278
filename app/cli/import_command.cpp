// `lanterna-cli import --project P [--track N] FILE…`: checks every file, then copies them into the project's
// media/ and appends them at the end of a track. One refused file refuses all; the project is then unchanged.
#include <iostream>

#include "commands.h"
#include "project_edit.h"
#include "lanterna/app/media_import.h"
#include "lanterna/app/project_store.h"
#include "lanterna/timeline/document.h"

#include <nlohmann/json.hpp>

namespace lanterna::cli {
namespace {

// A file the import refuses is bad input, whatever made it bad (truncated, hostile, unsupported).
int reportRefusal(const Error& error) {
  if (error.kind == ErrorKind::Truncated || error.kind == ErrorKind::NoReadAccess) {
    std::cerr << error.message << "\n";
    return kExitBadInput;
  }
  return reportError(error);
}

struct ImportOptions {
  std::string project;
  std::int64_t track = 0;
  std::vector<std::string> files;
};

int runImport(const ImportOptions& options) {
  auto project = openProjectForEdit(options.project);
  if (!project) return reportError(project.error());
  timeline::Document& document = *project->document;
  const std::vector<std::filesystem::path> files(options.files.begin(), options.files.end());
  auto imported = app::importMediaFiles(project->store, document, files, {.track = options.track});
  if (!imported) return reportRefusal(imported.error());
  if (auto saved = project->store.save(document.snapshot()); !saved) return reportError(saved.error());

  nlohmann::json items = nlohmann::json::array();
  for (std::size_t i = 0; i < imported->size(); ++i) {
    const auto& done = (*imported)[i];
    const auto* item = document.item(done.item);
    items.push_back({{"file", options.files[i]},
                     {"asset", done.asset.id},
                     {"kind", app::assetKindName(done.asset.kind)},
                     {"path", done.asset.path},
                     {"track", done.track},
                     {"item", done.item},
                     {"start", item->start.frames},
                     {"duration", item->duration.frames}});
  }
  std::cout << nlohmann::json{{"imported", items}}.dump() << "\n";
  return kExitOk;
}

}  // namespace

void addImportCommands(CLI::App& app, int& exitCode) {
  auto* import = app.add_subcommand("import", "Add image, video or audio files at the end of a track");
  auto options = std::make_shared<ImportOptions>();
  import->add_option("--project", options->project, "The project file")->required();
  import->add_option("--track", options->track,
                     "Track id (see `project info`); default: the first video or audio track, made when missing");
  import->add_option("files", options->files, "Files to import, in timeline order")->required();
  import->callback([options, &exitCode] { exitCode = runImport(*options); });
}

}  // namespace lanterna::cli
