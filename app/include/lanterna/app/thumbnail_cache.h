// Thumbnails and filmstrips of a project's media, made once and kept as PNGs in a folder beside the project
// (named by content hash, so a re-import finds them). Usage:
//   ThumbnailCache cache(ThumbnailCache::folderFor(store));
//   QFuture<CachedImage> strip = cache.filmstripAsync(asset, file, 8);   // QtConcurrent on the global pool
//   Result<std::filesystem::path> thumb = cache.thumbnail(asset, file);   // blocking; made when missing
// Safe from any thread: each image is written to a temp file and renamed, so concurrent makers do not clash.
#pragma once

#include <QFuture>

#include <filesystem>
#include <string>

#include "lanterna/app/generation_record.h"
#include "lanterna/result.h"

namespace lanterna::app {

class ProjectStore;

struct CachedImage {
  std::filesystem::path file;  // empty on failure
  std::string error;
};

class ThumbnailCache {
 public:
  explicit ThumbnailCache(std::filesystem::path folder, int heightPx = 72);
  static std::filesystem::path folderFor(const ProjectStore& store);  // "<project folder>/thumbnails"

  std::filesystem::path thumbnailPath(const AssetRecord& asset) const;
  std::filesystem::path filmstripPath(const AssetRecord& asset, int frames) const;

  // `media` is the asset's file. Images and video only: FeatureUnsupported for audio.
  Result<std::filesystem::path> thumbnail(const AssetRecord& asset, const std::filesystem::path& media) const;
  // `frames` pictures evenly spread over a video, side by side in one image; a still repeats.
  Result<std::filesystem::path> filmstrip(const AssetRecord& asset, const std::filesystem::path& media,
                                          int frames) const;

  QFuture<CachedImage> thumbnailAsync(const AssetRecord& asset, const std::filesystem::path& media) const;
  QFuture<CachedImage> filmstripAsync(const AssetRecord& asset, const std::filesystem::path& media, int frames) const;

 private:
  std::filesystem::path folder_;
  int heightPx_;
};

}  // namespace lanterna::app
