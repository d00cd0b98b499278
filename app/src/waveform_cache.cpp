#include "lanterna/app/waveform_cache.h"

#include <QtConcurrent>

#include "lanterna/assets/audio_decoder.h"

namespace lanterna::app {
namespace fs = std::filesystem;

WaveformCache::WaveformCache(fs::path folder) : folder_(std::move(folder)) {}

fs::path WaveformCache::waveformPath(const AssetRecord& asset) const {
  return folder_ / (asset.sha256 + "-waveform.bin");
}

Result<WaveformSummary> WaveformCache::waveform(const AssetRecord& asset, const fs::path& media) const {
  const fs::path file = waveformPath(asset);
  if (auto cached = loadWaveform(file)) return cached;
  // Stereo, not mono: FFmpeg's downmix adds the channels at -3 dB each, which would draw a loud mix above 0 dBFS.
  auto audio = assets::decodeAudio(media);
  if (!audio) return audio.error();
  WaveformSummary summary = summarizeAudio(*audio);
  std::error_code ignored;
  fs::create_directories(folder_, ignored);
  // A cache that cannot be written costs a decode next time, not the waveform now.
  (void)saveWaveform(summary, file);
  return summary;
}

QFuture<CachedWaveform> WaveformCache::waveformAsync(const AssetRecord& asset, const fs::path& media) const {
  return QtConcurrent::run([cache = *this, asset, media] {
    auto made = cache.waveform(asset, media);
    if (!made) return CachedWaveform{nullptr, made.error().message};
    return CachedWaveform{std::make_shared<const WaveformSummary>(std::move(*made)), {}};
  });
}

}  // namespace lanterna::app
