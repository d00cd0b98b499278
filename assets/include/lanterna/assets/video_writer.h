// Encodes frames to a finished file: H.264/HEVC MP4, ProRes MOV, VP9 WebM, GIF or a PNG sequence. Usage:
//   ExportSettings settings{.format = ExportFormat::Mp4H264, .width = 1920, .height = 1080, .frameRate = {24, 1}};
//   Result<VideoWriter> writer = VideoWriter::open("out.mp4", settings);
//   for (const Frame& f : frames) if (auto s = writer->writeFrame(f); !s) return s.error();
//   Status done = writer->finish();     // only now does "out.mp4" appear
// Output goes to a hidden temp file next to the target and is renamed at the end; an error, abort() or destruction
// before finish() removes it, so nothing half-written ever sits under the final name. A killed export cannot remove
// it: the next export into the same folder does (temporaries no live export holds). One thread per writer;
// the cancel flag of exportVideo may be set from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lanterna/assets/audio_decoder.h"
#include "lanterna/assets/frame.h"
#include "lanterna/assets/media_probe.h"
#include "lanterna/result.h"

namespace lanterna::assets {

enum class ExportFormat { Unset, Mp4H264, Mp4Hevc, MovProRes, WebmVp9, Gif, PngSequence };
enum class EncoderSpeed { Unset, Fast, Balanced };  // Unset = Balanced (the codec's default preset)

const char* exportFormatName(ExportFormat format);

struct ExportSettings {
  ExportFormat format = ExportFormat::Unset;
  int width = 0;
  int height = 0;
  Rational frameRate;
  int quality = 23;  // CRF-like: 0 best .. 51 smallest (VP9 maps to 0..63, ProRes to qscale, GIF/PNG ignore it)
  EncoderSpeed speed = EncoderSpeed::Unset;
  const AudioBuffer* audio = nullptr;  // optional; AAC in MP4/MOV, Opus in WebM; refused for GIF/PNG
  std::vector<std::pair<std::string, std::string>> metadata;  // e.g. {"comment", ...}, {"lanterna_parameters", ...}
};

class VideoWriter {
 public:
  // InvalidArgument for bad settings (odd sizes for 4:2:0 codecs, no rate), FeatureUnsupported when an encoder is
  // missing or another export (of any process) writes the same target, NoWriteAccess/DiskFull when the temp file
  // cannot be created. First removes the temporaries killed exports left in the target's folder.
  static Result<VideoWriter> open(const std::filesystem::path& path, const ExportSettings& settings);
  VideoWriter(VideoWriter&&) noexcept;
  VideoWriter& operator=(VideoWriter&&) noexcept;
  ~VideoWriter();  // aborts when finish() was not reached

  // Frames must be width x height; any PixelFormat is accepted (converted to 8-bit).
  Status writeFrame(const Frame& frame);
  std::int64_t framesWritten() const;
  // Flushes encoders, writes the rest of the audio and the trailer, renames the temp file onto the target.
  Status finish();
  void abort();

 private:
  struct Impl;
  explicit VideoWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "<dir>/.<stem>.lanterna-export-partial<ext>": where an export of `target` writes until it is finished.
std::filesystem::path exportTemporaryPath(const std::filesystem::path& target);

using ExportProgress = std::function<void(std::int64_t framesDone, std::int64_t framesTotal)>;
using FrameSource = std::function<Result<Frame>(std::int64_t index)>;

// Pulls frameCount frames from `source` into a VideoWriter. Returns an Error of kind Cancelled (an outcome, not a
// failure to show) when `cancel` turns true; the partial file is removed either way.
Status exportVideo(const std::filesystem::path& path, const ExportSettings& settings, std::int64_t frameCount,
                   const FrameSource& source, const ExportProgress& progress = {},
                   const std::atomic<bool>* cancel = nullptr);

}  // namespace lanterna::assets
