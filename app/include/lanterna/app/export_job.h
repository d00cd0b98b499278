// Renders the sequence (or an in/out range) and writes a finished file with assets' exportVideo: picture from the
// SequenceRenderer, sound mixed from the audio tracks where the format carries audio, the prompts of the range and
// the Lanterna version in the metadata. Usage:
//   auto job = ExportJob::create(store, {.output = "trip.mp4", .format = ExportFormat::Mp4H264});   // validated
//   Status done = job->run([](const ExportProgressInfo& p) { bar.update(p.framesDone, p.framesTotal); });
//   if (!done && done.error().kind == ErrorKind::Cancelled) …;   // an outcome, not a failure; no file is left
// run() blocks on the calling thread (run it on a worker); cancel() may be called from any thread.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "lanterna/app/sequence_renderer.h"
#include "lanterna/assets/audio_decoder.h"
#include "lanterna/assets/video_writer.h"
#include "lanterna/result.h"
#include "lanterna/timeline/document_snapshot.h"

namespace lanterna::app {

struct ExportRequest {
  std::filesystem::path output;
  assets::ExportFormat format = assets::ExportFormat::Mp4H264;
  std::optional<timeline::FrameTime> in;   // first project frame; unset: 0
  std::optional<timeline::FrameTime> out;  // one past the last project frame; unset: the sequence's end
  int width = 0;                           // 0: the project size
  int height = 0;
  std::optional<timeline::FrameRate> fps;  // unset: the project rate
  int quality = 23;
  assets::EncoderSpeed speed = assets::EncoderSpeed::Unset;
  assets::CompositorBackend backend = assets::CompositorBackend::Auto;
};

struct ExportProgressInfo {
  std::int64_t framesDone = 0;
  std::int64_t framesTotal = 0;
  double elapsedSeconds = 0;
  double etaSeconds = -1;  // unknown until the first frame
};
using ExportObserver = std::function<void(const ExportProgressInfo&)>;

// The audio tracks between project frames [in, out) mixed to 48 kHz stereo, exactly `sampleCount` frames long
// (silence where nothing plays). Fades ramp the gain; the sum is clipped to [-1, 1].
Result<assets::AudioBuffer> mixAudio(const timeline::DocumentSnapshot& snapshot, const AssetSources& sources,
                                     timeline::FrameTime in, timeline::FrameTime out, std::int64_t sampleCount);

class ExportJob {
 public:
  // InvalidArgument for an empty sequence, a range outside it, a bad size or rate, or a missing output folder.
  static Result<ExportJob> create(timeline::DocumentSnapshot snapshot, AssetSources sources, ExportRequest request);
  static Result<ExportJob> create(const ProjectStore& store, ExportRequest request);
  ExportJob(ExportJob&&) noexcept;
  ExportJob& operator=(ExportJob&&) noexcept;
  ~ExportJob();

  Status run(const ExportObserver& observer = {});
  void cancel();
  std::int64_t frameCount() const;  // at the output rate
  const ExportRequest& request() const;  // with every unset field resolved

 private:
  struct Impl;
  explicit ExportJob(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lanterna::app
