// The optional audio track of an export: interleaved float stereo in, encoder frames out, written as the video
// advances so the muxer never has to hold minutes of packets.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "ffmpeg_util.h"
#include "lanterna/assets/audio_decoder.h"

struct SwrContext;

namespace lanterna::assets {

class AudioTrackEncoder {
 public:
  using PacketSink = std::function<Status(AVPacket*, AVStream*, AVCodecContext*)>;
  ~AudioTrackEncoder();

  // Adds the stream to `output`; call before avformat_write_header.
  Status open(const std::filesystem::path& target, AVFormatContext* output, const char* encoderName,
              const AudioBuffer& audio);
  // Encodes samples up to `untilSeconds` (clamped to the buffer), or everything with flush = true.
  Status encodeUntil(double untilSeconds, const PacketSink& sink);
  Status flush(double endSeconds, const PacketSink& sink);

 private:
  Status sendFrame(const AVFrame* frame, const PacketSink& sink);
  std::filesystem::path target_;
  const AudioBuffer* audio_ = nullptr;
  CodecPtr codec_;
  AVStream* stream_ = nullptr;
  SwrContext* swr_ = nullptr;
  AvFramePtr frame_;
  PacketPtr packet_;
  std::int64_t samplesDone_ = 0;
};

}  // namespace lanterna::assets
