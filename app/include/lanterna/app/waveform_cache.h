// Waveform summaries of a project's audio, made once from the decoded audio and kept as small files beside the
// thumbnails (named by content hash, so a re-import finds them). Usage:
//   WaveformCache cache(ThumbnailCache::folderFor(store));
//   QFuture<CachedWaveform> later = cache.waveformAsync(asset, file);   // decodes on the global thread pool
//   Result<WaveformSummary> now = cache.waveform(asset, file);           // blocking; made when missing
// Safe from any thread: files are written to a temp file and renamed, so concurrent makers do not clash.
#pragma once

#include <QFuture>

#include <filesystem>
#include <memory>
#include <string>

#include "lanterna/app/generation_record.h"
#include "lanterna/app/waveform_summary.h"
#include "lanterna/result.h"

namespace lanterna::app {

struct CachedWaveform {
  std::shared_ptr<const WaveformSummary> summary;  // null on failure
  std::string error;
};

class WaveformCache {
 public:
  explicit WaveformCache(std::filesystem::path folder);

  std::filesystem::path waveformPath(const AssetRecord& asset) const;  // "<folder>/<sha256>-waveform.bin"

  // `media` is the asset's file: audio, or video with an audio track. A damaged cache file is made again.
  Result<WaveformSummary> waveform(const AssetRecord& asset, const std::filesystem::path& media) const;
  QFuture<CachedWaveform> waveformAsync(const AssetRecord& asset, const std::filesystem::path& media) const;

 private:
  std::filesystem::path folder_;
};

}  // namespace lanterna::app
