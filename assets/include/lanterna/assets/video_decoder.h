// Frame-accurate pictures from a video file at the project's frame rate. Usage:
//   Result<VideoDecoder> decoder = VideoDecoder::open("clip.mp4", {.outputRate = {24, 1}});
//   Result<Frame> frame = decoder->frameAt(48);   // the picture on screen at 48/24 = 2.0 s
// Variable-rate files are conformed: frameAt(i) is the frame displayed at time i / outputRate (the last one whose
// timestamp is <= that time). Rotation metadata is applied. One decoder per thread; open one per worker.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "lanterna/assets/frame.h"
#include "lanterna/assets/media_probe.h"
#include "lanterna/result.h"

namespace lanterna::assets {

struct VideoDecoderOptions {
  Rational outputRate;  // unset: the stream's own average rate
};

class VideoDecoder {
 public:
  // Errors as probeMedia; FeatureUnsupported when the file has no video stream or no decoder for it.
  static Result<VideoDecoder> open(const std::filesystem::path& path, const VideoDecoderOptions& options = {});
  VideoDecoder(VideoDecoder&&) noexcept;
  VideoDecoder& operator=(VideoDecoder&&) noexcept;
  ~VideoDecoder();

  const StreamInfo& stream() const;
  Rational outputRate() const;
  int width() const;                 // after rotation
  int height() const;
  std::int64_t frameCount() const;   // at the output rate: ceil(duration x rate)

  // Rgba8. InvalidArgument outside [0, frameCount()); Truncated when the data ends before the stream says.
  Result<Frame> frameAt(std::int64_t index);

 private:
  struct Impl;
  explicit VideoDecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lanterna::assets
