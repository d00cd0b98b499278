// Whole-file audio decode to interleaved float stereo at 48 kHz, and the waveform summary the timeline draws. Usage:
//   Result<AudioBuffer> audio = decodeAudio("clip.mp4");
//   std::vector<WaveformBucket> peaks = summarizeWaveform(*audio, 800);   // one min/max per pixel column
// Free functions without shared state: safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "lanterna/result.h"

namespace lanterna::assets {

struct AudioBuffer {
  int sampleRate = 48000;
  int channels = 2;
  std::vector<float> samples;  // interleaved: L R L R ...
  std::int64_t frameCount() const { return channels > 0 ? std::int64_t(samples.size()) / channels : 0; }
  double durationSeconds() const { return sampleRate > 0 ? double(frameCount()) / sampleRate : 0.0; }
};

struct AudioDecodeOptions {
  int sampleRate = 48000;
  int channels = 2;  // 1 or 2; mono sources are duplicated, surround is downmixed
};

// Errors as probeMedia; FeatureUnsupported when the file has no audio stream.
Result<AudioBuffer> decodeAudio(const std::filesystem::path& path, const AudioDecodeOptions& options = {});

struct WaveformBucket {
  float min = 0;
  float max = 0;
};

// Splits the buffer into `bucketCount` equal spans (all channels together) and keeps each span's extremes.
std::vector<WaveformBucket> summarizeWaveform(const AudioBuffer& audio, int bucketCount);

}  // namespace lanterna::assets
