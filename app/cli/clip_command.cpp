// `lanterna-cli clip speed --project P --item N [--speed 50%] [--conform repeat|interpolate]`: retimes a video
// clip and chooses how its frames meet the project rate, as the studio's clip menu does; prints the clip as JSON.
#include <iostream>

#include "commands.h"
#include "project_edit.h"
#include "lanterna/app/project_store.h"
#include "lanterna/timeline/clip_speed.h"
#include "lanterna/timeline/document.h"

#include <nlohmann/json.hpp>

namespace lanterna::cli {
namespace {

struct SpeedOptions {
  std::string project, speed, conform;
  std::int64_t item = 0;
};

int refuse(const std::string& why) {
  std::cerr << why << " The project was not changed.\n";
  return kExitBadInput;
}

int runSpeed(const SpeedOptions& options) {
  auto project = openProjectForEdit(options.project);
  if (!project) return reportError(project.error());
  timeline::Document& doc = *project->document;
  if (!options.speed.empty()) {
    const auto speed = timeline::parseSpeed(options.speed);
    if (!speed) return refuse("--speed \"" + options.speed + "\" is not a speed (use 50%, 2x, 0.5 or 1/3).");
    if (auto result = doc.requestSetSpeed(options.item, *speed); !result) return refuse(result.reason + ".");
  }
  if (!options.conform.empty()) {
    const auto mode = timeline::parseConformMode(options.conform);
    if (!mode) return refuse("--conform \"" + options.conform + "\" is not repeat or interpolate.");
    if (auto result = doc.requestSetConform(options.item, *mode); !result) return refuse(result.reason + ".");
  }
  const timeline::Item* item = doc.item(options.item);
  const auto* video = item ? std::get_if<timeline::VideoPayload>(&item->payload) : nullptr;
  if (!video) return refuse("item " + std::to_string(options.item) + " is not a video clip.");
  if (auto saved = project->store.save(doc.snapshot()); !saved) return reportError(saved.error());
  std::cout << nlohmann::json{{"item", item->id},
                              {"speed", std::to_string(video->speed.num) + "/" + std::to_string(video->speed.den)},
                              {"speed_percent", timeline::speedText(video->speed)},
                              {"conform", timeline::conformModeName(video->conform)},
                              {"start_frame", item->start.frames},
                              {"duration_frames", item->duration.frames}}
                   .dump()
            << "\n";
  return kExitOk;
}

}  // namespace

void addClipCommands(CLI::App& app, int& exitCode) {
  auto* clip = app.add_subcommand("clip", "Change clips on the timeline");
  clip->require_subcommand(1);
  auto* speed = clip->add_subcommand("speed", "Set a video clip's speed and how its frames are conformed");
  auto options = std::make_shared<SpeedOptions>();
  speed->add_option("--project", options->project, "The project file")->required();
  speed->add_option("--item", options->item, "The clip's item id (see `project info`)")->required();
  speed->add_option("--speed", options->speed, "50% plays twice as long, 2x half as long; also 0.5 or 1/3");
  speed->add_option("--conform", options->conform, "repeat (frame repetition) or interpolate (optical flow)");
  speed->callback([options, &exitCode] { exitCode = runSpeed(*options); });
}

}  // namespace lanterna::cli
