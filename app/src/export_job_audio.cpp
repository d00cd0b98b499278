// The export's sound: every audio-track item in the range, decoded once per asset, placed at its timeline
// position and summed.
#include "lanterna/app/export_job.h"

#include <algorithm>
#include <map>

namespace lanterna::app {
using timeline::FrameTime;

namespace {

constexpr int kSampleRate = 48000;
constexpr int kChannels = 2;

std::int64_t samplesAt(timeline::FrameRate rate, FrameTime time) {
  return rate.toTimestamp(time, timeline::Rational{1, kSampleRate}, timeline::Rounding::Nearest);
}

float gainAt(std::int64_t sample, std::int64_t length, std::int64_t fadeIn, std::int64_t fadeOut) {
  float gain = 1.0f;
  if (sample < fadeIn) gain *= float(sample) / float(fadeIn);
  if (length - sample <= fadeOut) gain *= float(length - sample) / float(fadeOut);
  return gain;
}

}  // namespace

Result<assets::AudioBuffer> mixAudio(const timeline::DocumentSnapshot& snapshot, const AssetSources& sources,
                                     FrameTime in, FrameTime out, std::int64_t sampleCount) {
  const auto rate = snapshot.settings.frameRate;
  assets::AudioBuffer mix;
  mix.sampleRate = kSampleRate;
  mix.channels = kChannels;
  mix.samples.assign(std::size_t(std::max<std::int64_t>(sampleCount, 0)) * kChannels, 0.0f);
  std::map<AssetId, assets::AudioBuffer> decoded;
  for (const auto& item : snapshot.items) {
    const auto* audio = std::get_if<timeline::AudioPayload>(&item.payload);
    if (!audio || audio->asset == 0 || item.end() <= in || item.start >= out) continue;
    auto buffer = decoded.find(audio->asset);
    if (buffer == decoded.end()) {
      const auto source = sources.find(audio->asset);
      if (source == sources.end())
        return makeError(ErrorKind::FileNotFound,
                         "The project has no media for asset " + std::to_string(audio->asset) + " (item " +
                             std::to_string(item.id) + ").");
      auto loaded = assets::decodeAudio(source->second.file, {.sampleRate = kSampleRate, .channels = kChannels});
      if (!loaded) return loaded.error();
      buffer = decoded.emplace(audio->asset, std::move(*loaded)).first;
    }
    const auto& source = buffer->second;
    const std::int64_t start = samplesAt(rate, item.start - in);  // negative when the item begins before `in`
    const std::int64_t length = samplesAt(rate, item.duration);
    const std::int64_t sourceStart = samplesAt(rate, audio->inPoint);
    const std::int64_t fadeIn = samplesAt(rate, item.fadeIn), fadeOut = samplesAt(rate, item.fadeOut);
    const std::int64_t first = std::max<std::int64_t>(0, -start);
    const std::int64_t last = std::min({length, sampleCount - start, source.frameCount() - sourceStart});
    for (std::int64_t s = first; s < last; ++s) {
      const float gain = gainAt(s, length, fadeIn, fadeOut);
      for (int c = 0; c < kChannels; ++c)
        mix.samples[std::size_t((start + s) * kChannels + c)] +=
            gain * source.samples[std::size_t((sourceStart + s) * kChannels + c)];
    }
  }
  for (float& sample : mix.samples) sample = std::clamp(sample, -1.0f, 1.0f);
  return mix;
}

}  // namespace lanterna::app
