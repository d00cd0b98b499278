// An export is validated when it is created, so run() only fails for reasons found while rendering or writing.
#include "lanterna/app/export_job.h"

#include <chrono>

#include "generation_settings_json.h"
#include "lanterna/app/project_store.h"
#include "lanterna/app/version.h"

#include <nlohmann/json.hpp>

namespace lanterna::app {
namespace fs = std::filesystem;
using timeline::FrameTime;

namespace {

bool carriesAudio(assets::ExportFormat format) {
  return format != assets::ExportFormat::Gif && format != assets::ExportFormat::PngSequence;
}

bool hasAudioBetween(const timeline::DocumentSnapshot& snapshot, FrameTime in, FrameTime out) {
  for (const auto& item : snapshot.items)
    if (std::holds_alternative<timeline::AudioPayload>(item.payload) && item.end() > in && item.start < out)
      return true;
  return false;
}

// The prompts of the generated items in the range, so a viewer of the file can see how it was made.
std::string promptsBetween(const timeline::DocumentSnapshot& snapshot, FrameTime in, FrameTime out) {
  nlohmann::json prompts = nlohmann::json::array();
  for (const auto& item : snapshot.items)
    if (const auto* prompt = std::get_if<timeline::PromptPayload>(&item.payload))
      if (item.end() > in && item.start < out) prompts.push_back(toJson(prompt->settings));
  return prompts.empty() ? std::string() : prompts.dump();
}

Error refused(const ExportRequest& request, const std::string& why) {
  return makeError(ErrorKind::InvalidArgument, "Cannot export to \"" + request.output.string() + "\": " + why + ".",
                   request.output);
}

}  // namespace

struct ExportJob::Impl {
  Impl(ExportRequest r, SequenceRenderer s, AssetSources a, std::int64_t n)
      : request(std::move(r)), renderer(std::move(s)), sources(std::move(a)), frameCount(n) {}
  ExportRequest request;
  SequenceRenderer renderer;
  AssetSources sources;
  std::int64_t frameCount = 0;
  std::atomic<bool> cancelled{false};
};

Result<ExportJob> ExportJob::create(timeline::DocumentSnapshot snapshot, AssetSources sources, ExportRequest request) {
  const auto& settings = snapshot.settings;
  if (request.output.empty()) return refused(request, "no output file was given");
  const fs::path folder = fs::absolute(request.output).parent_path();
  if (!fs::is_directory(folder)) return refused(request, "the folder \"" + folder.string() + "\" does not exist");
  if (request.format == assets::ExportFormat::Unset) return refused(request, "no format was given");
  SequenceRenderer probe(snapshot, {}, {});
  const FrameTime end = probe.duration();
  const FrameTime in = request.in.value_or(FrameTime{0});
  const FrameTime out = request.out.value_or(end);
  if (end <= FrameTime{0}) return refused(request, "the sequence is empty");
  if (in < FrameTime{0} || out > end || in >= out)
    return refused(request, "the range " + std::to_string(in.frames) + "-" + std::to_string(out.frames) +
                                " is not inside the sequence (0-" + std::to_string(end.frames) + ")");
  if ((request.width == 0) != (request.height == 0) || request.width < 0 || request.height < 0)
    return refused(request, "the size " + std::to_string(request.width) + "x" + std::to_string(request.height) +
                                " is not a size");
  const timeline::FrameRate fps = request.fps.value_or(settings.frameRate);
  if (!fps.valid()) return refused(request, "the frame rate " + fps.toString() + " is not valid");
  request.in = in;
  request.out = out;
  request.fps = fps;
  if (request.width == 0) {
    request.width = settings.width;
    request.height = settings.height;
  }
  // Output frame i shows the project frame on screen at i / fps: a lower rate drops frames, a higher one repeats.
  const std::int64_t count = timeline::convertFrames(out - in, settings.frameRate, fps, timeline::Rounding::Up).frames;
  SequenceRenderer renderer(std::move(snapshot), sources,
                            {.backend = request.backend, .width = request.width, .height = request.height});
  auto impl = std::make_unique<Impl>(request, std::move(renderer), std::move(sources), count);
  return ExportJob(std::move(impl));
}

Result<ExportJob> ExportJob::create(const ProjectStore& store, ExportRequest request) {
  auto snapshot = store.load();
  if (!snapshot) return snapshot.error();
  auto sources = assetSources(store);
  if (!sources) return sources.error();
  return create(std::move(*snapshot), std::move(*sources), std::move(request));
}

ExportJob::ExportJob(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ExportJob::ExportJob(ExportJob&&) noexcept = default;
ExportJob& ExportJob::operator=(ExportJob&&) noexcept = default;
ExportJob::~ExportJob() = default;

void ExportJob::cancel() { impl_->cancelled = true; }
std::int64_t ExportJob::frameCount() const { return impl_->frameCount; }
const ExportRequest& ExportJob::request() const { return impl_->request; }

Status ExportJob::run(const ExportObserver& observer) {
  const ExportRequest& request = impl_->request;
  const auto& snapshot = impl_->renderer.snapshot();
  const timeline::FrameRate projectRate = snapshot.settings.frameRate, fps = *request.fps;
  const FrameTime in = *request.in, out = *request.out;

  assets::ExportSettings settings{.format = request.format,
                                  .width = request.width,
                                  .height = request.height,
                                  .frameRate = {int(fps.num), int(fps.den)},
                                  .quality = request.quality,
                                  .speed = request.speed};
  settings.metadata.emplace_back("comment", std::string("Made with Lanterna ") + versionString());
  if (auto prompts = promptsBetween(snapshot, in, out); !prompts.empty())
    settings.metadata.emplace_back("lanterna_parameters", prompts);

  // 1. Sound, exactly as long as the picture.
  assets::AudioBuffer audio;
  if (carriesAudio(request.format) && hasAudioBetween(snapshot, in, out)) {
    const std::int64_t samples = impl_->frameCount * 48000 * fps.den / fps.num;
    auto mixed = mixAudio(snapshot, impl_->sources, in, out, samples);
    if (!mixed) return mixed.error();
    audio = std::move(*mixed);
    settings.audio = &audio;
  }

  // 2. Picture, pulled frame by frame by the writer.
  const auto started = std::chrono::steady_clock::now();
  const assets::FrameSource source = [&](std::int64_t index) {
    const FrameTime at = in + timeline::convertFrames(FrameTime{index}, fps, projectRate, timeline::Rounding::Down);
    return impl_->renderer.renderFrame(std::min(at, out - FrameTime{1}));
  };
  const assets::ExportProgress progress = [&](std::int64_t done, std::int64_t total) {
    if (!observer) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    observer(ExportProgressInfo{done, total, elapsed, done > 0 ? elapsed / double(done) * double(total - done) : -1});
  };
  return assets::exportVideo(request.output, settings, impl_->frameCount, source, progress, &impl_->cancelled);
}

}  // namespace lanterna::app
