// The peaks an audio clip's waveform is drawn from: min, max and RMS per span of samples, at a few zoom levels
// (128, 1024 and 8192 samples per peak), so any pixel column is answered from a handful of peaks. Usage:
//   WaveformSummary summary = summarizeAudio(*assets::decodeAudio("voice.wav"));
//   WaveformPeak column = summary.span(1.00, 1.02);     // what one 50 px/s column shows
//   Status saved = saveWaveform(summary, "thumbnails/<sha>-waveform.bin");
// Plain values and free functions: safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "lanterna/assets/audio_decoder.h"
#include "lanterna/result.h"

namespace lanterna::app {

// Finest first; each level is 8x coarser than the one before.
inline constexpr std::array<int, 3> kWaveformSamplesPerPeak = {128, 1024, 8192};

struct WaveformPeak {
  float min = 0;
  float max = 0;
  float rms = 0;
};

struct WaveformLevel {
  int samplesPerPeak = 0;
  std::vector<WaveformPeak> peaks;
};

struct WaveformSummary {
  int sampleRate = 0;
  std::int64_t frameCount = 0;
  std::vector<WaveformLevel> levels;

  bool empty() const { return frameCount <= 0 || levels.empty(); }
  double durationSeconds() const { return sampleRate > 0 ? double(frameCount) / sampleRate : 0.0; }
  // All channels together over [fromSeconds, toSeconds), from the coarsest level whose peaks still fit in the span
  // (zero outside the audio).
  WaveformPeak span(double fromSeconds, double toSeconds) const;
};

WaveformSummary summarizeAudio(const assets::AudioBuffer& audio);

// A small binary file ("LNWF", version 1), written to a temporary file and renamed.
Status saveWaveform(const WaveformSummary& summary, const std::filesystem::path& file);
// FileNotFound, or FormatIncorrect for a file that is not a version-1 summary (the caller makes it again).
Result<WaveformSummary> loadWaveform(const std::filesystem::path& file);

}  // namespace lanterna::app
