// What a media file holds, read from its container without decoding pictures. Usage:
//   Result<MediaInfo> info = probeMedia("clip.mp4");
//   if (const StreamInfo* video = info->video()) use(video->width, video->frameRate);
// Free function without shared state: safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lanterna/result.h"

namespace lanterna::assets {

struct Rational {
  int num = 0;
  int den = 1;
  double value() const { return den == 0 ? 0.0 : double(num) / den; }
  bool valid() const { return num > 0 && den > 0; }
  friend bool operator==(const Rational&, const Rational&) = default;
};

enum class StreamKind { Unset, Video, Audio, Other };

struct StreamInfo {
  int index = -1;
  StreamKind kind = StreamKind::Unset;
  std::string codec;                // FFmpeg codec name: "h264", "prores", "aac"
  double durationSeconds = 0;
  // Video
  int width = 0;                    // as coded; displayWidth() applies the rotation
  int height = 0;
  Rational frameRate;               // average rate; variable-rate files report their mean
  int rotationDegrees = 0;          // clockwise rotation to apply for display: 0, 90, 180 or 270
  std::int64_t frameCount = 0;
  bool frameCountExact = false;     // false: estimated from duration x rate
  // Audio
  int sampleRate = 0;
  int channels = 0;

  int displayWidth() const { return rotationDegrees % 180 ? height : width; }
  int displayHeight() const { return rotationDegrees % 180 ? width : height; }
};

struct MediaInfo {
  std::string container;            // FFmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  double durationSeconds = 0;
  std::vector<StreamInfo> streams;
  std::vector<std::pair<std::string, std::string>> metadata;  // container tags, e.g. {"comment", "..."}

  const StreamInfo* video() const;  // first video stream, or null
  const StreamInfo* audio() const;
  std::string tag(const std::string& key) const;  // "" when absent
};

enum class FrameCounting { Estimate, CountPackets };

// Errors: FileNotFound, NoReadAccess, Truncated (empty, or a known container cut short), FormatIncorrect (not media),
// FeatureUnsupported (no audio or video stream). CountPackets demuxes the file once for an exact frame count.
Result<MediaInfo> probeMedia(const std::filesystem::path& path, FrameCounting counting = FrameCounting::Estimate);

}  // namespace lanterna::assets
