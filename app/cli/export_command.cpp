// `lanterna-cli export --project P [--range IN OUT] [--format F] [--size WxH] [--fps F] --out FILE`: renders the
// sequence (or project frames IN to OUT, OUT not included) into a finished file; a progress bar on stderr,
// a JSON summary on stdout. Ctrl-C cancels and leaves no file behind.
#include <csignal>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "lanterna/app/export_job.h"
#include "lanterna/app/project_store.h"
#include "progress_bar.h"

#include <nlohmann/json.hpp>

namespace lanterna::cli {
namespace {

std::atomic<app::ExportJob*> gRunning{nullptr};

void onInterrupt(int) {
  if (auto* job = gRunning.load()) job->cancel();
}

struct ExportOptions {
  std::string project, format, size, fps, out;
  std::vector<std::int64_t> range;
  int quality = 23;
};

const std::vector<std::pair<std::string, assets::ExportFormat>> kFormats = {
    {"mp4", assets::ExportFormat::Mp4H264},       {"mp4-hevc", assets::ExportFormat::Mp4Hevc},
    {"mov-prores", assets::ExportFormat::MovProRes}, {"webm", assets::ExportFormat::WebmVp9},
    {"gif", assets::ExportFormat::Gif},           {"png-seq", assets::ExportFormat::PngSequence}};

std::optional<assets::ExportFormat> parseFormat(const std::string& name) {
  for (const auto& [text, format] : kFormats)
    if (text == name) return format;
  return std::nullopt;
}

// Without --format the output's extension decides; anything else is H.264 MP4.
assets::ExportFormat formatFor(const std::filesystem::path& out) {
  const std::string ext = out.extension().string();
  if (ext == ".webm") return assets::ExportFormat::WebmVp9;
  if (ext == ".gif") return assets::ExportFormat::Gif;
  if (ext == ".mov") return assets::ExportFormat::MovProRes;
  if (ext.empty()) return assets::ExportFormat::PngSequence;
  return assets::ExportFormat::Mp4H264;
}

int badInput(const std::string& message) {
  std::cerr << message << "\n";
  return kExitBadInput;
}

int runExport(const ExportOptions& options) {
  app::ExportRequest request{.output = options.out, .quality = options.quality};
  if (options.format.empty()) {
    request.format = formatFor(request.output);
  } else if (auto format = parseFormat(options.format)) {
    request.format = *format;
  } else {
    return badInput("--format \"" + options.format + "\" is not one of mp4, mp4-hevc, mov-prores, webm, gif, png-seq.");
  }
  if (!options.range.empty()) {
    request.in = timeline::FrameTime{options.range[0]};
    request.out = timeline::FrameTime{options.range[1]};
  }
  if (!options.size.empty()) {
    char separator = 0, extra = 0;
    if (std::sscanf(options.size.c_str(), "%d%c%d%c", &request.width, &separator, &request.height, &extra) != 3 ||
        (separator != 'x' && separator != 'X') || request.width <= 0 || request.height <= 0)
      return badInput("--size \"" + options.size + "\" is not a size (use WxH, e.g. 1280x720).");
  }
  if (!options.fps.empty()) {
    request.fps = timeline::FrameRate::parse(options.fps);
    if (!request.fps) return badInput("--fps \"" + options.fps + "\" is not a frame rate (use 24 or 30000/1001).");
  }

  // Reading only: an export never changes the project.
  auto store = app::ProjectStore::open(options.project, app::StoreAccess::ReadOnly);
  if (!store) return reportError(store.error());
  auto job = app::ExportJob::create(*store, request);
  if (!job) return reportError(job.error());

  ProgressBar bar(std::string("exporting ") + assets::exportFormatName(job->request().format));
  gRunning = &*job;
  std::signal(SIGINT, onInterrupt);
  const Status done = job->run([&](const app::ExportProgressInfo& p) {
    bar.update(int(p.framesDone), int(p.framesTotal), p.elapsedSeconds);
  });
  gRunning = nullptr;
  if (!done) {
    bar.finish("");
    std::cerr << done.error().message << "\n";
    return done.error().kind == ErrorKind::Cancelled ? kExitCancelled : reportError(done.error());
  }
  bar.finish("");
  const auto& resolved = job->request();
  std::cout << nlohmann::json{{"output", resolved.output.string()},
                              {"format", assets::exportFormatName(resolved.format)},
                              {"frames", job->frameCount()},
                              {"width", resolved.width},
                              {"height", resolved.height},
                              {"fps", resolved.fps->toString()},
                              {"in", resolved.in->frames},
                              {"out", resolved.out->frames}}
                   .dump()
            << "\n";
  return kExitOk;
}

}  // namespace

void addExportCommands(CLI::App& app, int& exitCode) {
  auto* command = app.add_subcommand("export", "Render the sequence to a video file, a GIF or PNG frames");
  auto options = std::make_shared<ExportOptions>();
  command->add_option("--project", options->project, "The project file")->required();
  command->add_option("--range", options->range, "Project frames IN OUT (OUT not included); default: all")
      ->expected(2);
  command->add_option("--format", options->format, "mp4, mp4-hevc, mov-prores, webm, gif or png-seq "
                                                   "(default: from the --out extension)");
  command->add_option("--size", options->size, "Output size WxH (default: the project size)");
  command->add_option("--fps", options->fps, "Output frame rate (default: the project rate)");
  command->add_option("--quality", options->quality, "0 best .. 51 smallest (CRF-like)")->capture_default_str();
  command->add_option("--out", options->out, "The file (or folder, for png-seq) to write")->required();
  command->callback([options, &exitCode] { exitCode = runExport(*options); });
}

}  // namespace lanterna::cli
