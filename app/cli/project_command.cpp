// `lanterna-cli project new PATH [--name N] [--fps R] [--size WxH]` and `project info PATH` (one JSON object).
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "lanterna/app/project_store.h"

#include <nlohmann/json.hpp>

namespace lanterna::cli {
namespace {

std::optional<std::pair<int, int>> parseSize(const std::string& text) {
  int width = 0, height = 0;
  char separator = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &width, &separator, &height, &extra) != 3) return std::nullopt;
  if ((separator != 'x' && separator != 'X') || width <= 0 || height <= 0) return std::nullopt;
  return std::pair{width, height};
}

nlohmann::json projectInfo(const app::ProjectStore& store, const timeline::DocumentSnapshot& snapshot,
                           std::size_t generations) {
  nlohmann::json tracks = nlohmann::json::array();
  for (const auto& track : snapshot.tracks) {
    int items = 0;
    for (const auto& item : snapshot.items) items += item.track == track.id;
    tracks.push_back({{"id", track.id}, {"kind", timeline::trackKindName(track.kind)}, {"name", track.name},
                      {"items", items}});
  }
  const auto& s = snapshot.settings;
  return {{"name", s.name},
          {"fps", s.frameRate.toString()},
          {"width", s.width},
          {"height", s.height},
          {"size", std::to_string(s.width) + "x" + std::to_string(s.height)},
          {"tracks", tracks},
          {"generations", generations},
          {"schema_version", store.schemaVersion()}};
}

int printInfo(const app::ProjectStore& store) {
  auto snapshot = store.load();
  if (!snapshot) return reportError(snapshot.error());
  auto generations = store.listGenerations();
  if (!generations) return reportError(generations.error());
  std::cout << projectInfo(store, *snapshot, generations->size()).dump() << "\n";
  return kExitOk;
}

}  // namespace

int reportError(const Error& error) {
  std::cerr << error.message << "\n";
  switch (error.kind) {
    case ErrorKind::InvalidArgument:
    case ErrorKind::FileNotFound:
    case ErrorKind::FormatIncorrect:
    case ErrorKind::FeatureUnsupported: return kExitBadInput;
    default: return kExitFailure;
  }
}

void addProjectCommands(CLI::App& app, int& exitCode) {
  auto* project = app.add_subcommand("project", "Create and inspect project files");
  project->require_subcommand(1);

  auto* create = project->add_subcommand("new", "Create an empty project file");
  struct NewOptions {
    std::string path, name, fps = "24", size = "1280x720";
  };
  auto options = std::make_shared<NewOptions>();
  create->add_option("path", options->path, "The project file to create (e.g. trip.lanterna)")->required();
  create->add_option("--name", options->name, "Project name (default: the file name)");
  create->add_option("--fps", options->fps, "Frame rate: 24, 25, 30000/1001, …")->capture_default_str();
  create->add_option("--size", options->size, "Frame size WxH")->capture_default_str();
  create->callback([options, &exitCode] {
    const auto fps = timeline::FrameRate::parse(options->fps);
    if (!fps) {
      std::cerr << "--fps \"" << options->fps << "\" is not a frame rate (use 24 or 30000/1001).\n";
      exitCode = kExitBadInput;
      return;
    }
    const auto size = parseSize(options->size);
    if (!size) {
      std::cerr << "--size \"" << options->size << "\" is not a size (use WxH, e.g. 1280x720).\n";
      exitCode = kExitBadInput;
      return;
    }
    const std::filesystem::path path = options->path;
    const std::string name = options->name.empty() ? path.stem().string() : options->name;
    auto store = app::ProjectStore::create(path, timeline::ProjectSettings{name, *fps, size->first, size->second});
    exitCode = store ? printInfo(*store) : reportError(store.error());
  });

  auto* info = project->add_subcommand("info", "Print a project's settings, tracks and counts as JSON");
  auto path = std::make_shared<std::string>();
  info->add_option("path", *path, "The project file")->required();
  info->callback([path, &exitCode] {
    // Read-only: looking must not migrate the file or mark unfinished generations.
    auto store = app::ProjectStore::open(*path, app::StoreAccess::ReadOnly);
    exitCode = store ? printInfo(*store) : reportError(store.error());
  });
}

}  // namespace lanterna::cli
