// `lanterna-cli history list PATH [--status S] [--search TEXT]`: one JSON object per generation, newest first.
#include <iostream>

#include "commands.h"
#include "lanterna/app/project_store.h"

#include <nlohmann/json.hpp>

namespace lanterna::cli {
namespace {

nlohmann::json toJson(const app::GenerationRecord& r) {
  const auto& q = r.request;
  return {{"id", r.id},
          {"parent", r.parent},
          {"status", app::generationStatusName(r.status)},
          {"prompt", q.prompt},
          {"negative_prompt", q.negativePrompt},
          {"model", q.model},
          {"model_sha256", r.modelSha256},
          {"sampler", q.sampler},
          {"steps", q.steps},
          {"cfg", q.cfg},
          {"seed", q.seed},
          {"width", q.width},
          {"height", q.height},
          {"frames", q.frames},
          {"fps", q.fps.toString()},
          {"strength", q.strength},
          {"motion_amount", q.motionAmount},
          {"reference_images", q.referenceImages},
          {"error", r.errorMessage},
          {"created_ms", r.createdMs},
          {"started_ms", r.startedMs},
          {"finished_ms", r.finishedMs},
          {"duration_ms", r.durationMs},
          {"outputs", r.outputs}};
}

}  // namespace

void addHistoryCommands(CLI::App& app, int& exitCode) {
  auto* history = app.add_subcommand("history", "Look through a project's generation history");
  history->require_subcommand(1);
  auto* list = history->add_subcommand("list", "One JSON object per generation, newest first");
  struct ListOptions {
    std::string path, status, search;
  };
  auto options = std::make_shared<ListOptions>();
  list->add_option("path", options->path, "The project file")->required();
  list->add_option("--status", options->status, "queued, running, done, failed, cancelled or interrupted");
  list->add_option("--search", options->search, "Only generations whose prompt or model contains this text");
  list->callback([options, &exitCode] {
    app::HistoryFilter filter;
    filter.text = options->search;
    if (!options->status.empty()) {
      filter.status = app::parseGenerationStatus(options->status);
      if (!filter.status) {
        std::cerr << "--status \"" << options->status
                  << "\" is not a status (queued, running, done, failed, cancelled, interrupted).\n";
        exitCode = kExitBadInput;
        return;
      }
    }
    auto store = app::ProjectStore::open(options->path, app::StoreAccess::ReadOnly);
    if (!store) {
      exitCode = reportError(store.error());
      return;
    }
    auto records = store->listGenerations(filter);
    if (!records) {
      exitCode = reportError(records.error());
      return;
    }
    for (const auto& record : *records) std::cout << toJson(record).dump() << "\n";
    exitCode = kExitOk;
  });
}

}  // namespace lanterna::cli
