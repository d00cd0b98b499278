// Pictures are scaled to a fixed height (width follows the aspect ratio) and saved as PNG under the asset's hash.
#include "lanterna/app/thumbnail_cache.h"

#include <QtConcurrent>

#include <algorithm>
#include <vector>

#include "lanterna/app/project_store.h"
#include "lanterna/assets/image_io.h"
#include "lanterna/assets/video_decoder.h"

namespace lanterna::app {
namespace fs = std::filesystem;

namespace {

// `count` pictures of the media, evenly spread (a still gives the same picture each time).
Result<std::vector<assets::Frame>> pictures(const AssetRecord& asset, const fs::path& media, int count) {
  std::vector<assets::Frame> out;
  if (asset.kind == AssetKind::Image) {
    auto image = assets::loadImage(media, {.bitDepth = assets::BitDepth::To8});
    if (!image) return image.error();
    out.assign(std::size_t(count), *image);
    return out;
  }
  if (asset.kind != AssetKind::Video)
    return makeError(ErrorKind::FeatureUnsupported, "\"" + media.string() + "\" has no pictures to show.", media);
  auto decoder = assets::VideoDecoder::open(media);
  if (!decoder) return decoder.error();
  const std::int64_t total = std::max<std::int64_t>(decoder->frameCount(), 1);
  for (int i = 0; i < count; ++i) {
    // The middle of each of `count` equal spans, so a one-picture strip shows the middle of the clip.
    auto frame = decoder->frameAt(std::min(total - 1, (2 * i + 1) * total / (2 * count)));
    if (!frame) return frame.error();
    out.push_back(std::move(*frame));
  }
  return out;
}

Result<fs::path> makeStrip(const AssetRecord& asset, const fs::path& media, int count, int heightPx,
                           const fs::path& target) {
  if (fs::exists(target)) return target;
  auto frames = pictures(asset, media, count);
  if (!frames) return frames.error();
  const auto& first = frames->front();
  int width = 0, height = 0;
  assets::fitInside(first.width, first.height, 1 << 16, heightPx, width, height);
  auto strip = assets::Frame::allocate(width * count, height, assets::PixelFormat::Rgba8);
  for (int i = 0; i < count; ++i) {
    const auto small = assets::scaleFrame(assets::convertFrame((*frames)[std::size_t(i)], assets::PixelFormat::Rgba8),
                                          width, height);
    for (int y = 0; y < height; ++y)
      std::copy_n(small.row<std::uint8_t>(y), 4 * width, strip.row<std::uint8_t>(y) + 4 * width * i);
  }
  std::error_code ignored;
  fs::create_directories(target.parent_path(), ignored);
  if (auto saved = assets::saveImage(strip, target); !saved) return saved.error();
  return target;
}

CachedImage toCached(const Result<fs::path>& made) {
  return made ? CachedImage{*made, {}} : CachedImage{{}, made.error().message};
}

}  // namespace

ThumbnailCache::ThumbnailCache(fs::path folder, int heightPx) : folder_(std::move(folder)), heightPx_(heightPx) {}

fs::path ThumbnailCache::folderFor(const ProjectStore& store) {
  return fs::absolute(store.file()).parent_path() / "thumbnails";
}

fs::path ThumbnailCache::thumbnailPath(const AssetRecord& asset) const {
  return folder_ / (asset.sha256 + "-h" + std::to_string(heightPx_) + ".png");
}

fs::path ThumbnailCache::filmstripPath(const AssetRecord& asset, int frames) const {
  return folder_ / (asset.sha256 + "-strip" + std::to_string(frames) + "-h" + std::to_string(heightPx_) + ".png");
}

Result<fs::path> ThumbnailCache::thumbnail(const AssetRecord& asset, const fs::path& media) const {
  return makeStrip(asset, media, 1, heightPx_, thumbnailPath(asset));
}

Result<fs::path> ThumbnailCache::filmstrip(const AssetRecord& asset, const fs::path& media, int frames) const {
  if (frames <= 0)
    return makeError(ErrorKind::InvalidArgument, "A filmstrip needs at least one frame (asked for " +
                                                     std::to_string(frames) + ").");
  return makeStrip(asset, media, frames, heightPx_, filmstripPath(asset, frames));
}

QFuture<CachedImage> ThumbnailCache::thumbnailAsync(const AssetRecord& asset, const fs::path& media) const {
  return QtConcurrent::run([cache = *this, asset, media] { return toCached(cache.thumbnail(asset, media)); });
}

QFuture<CachedImage> ThumbnailCache::filmstripAsync(const AssetRecord& asset, const fs::path& media,
                                                    int frames) const {
  return QtConcurrent::run(
      [cache = *this, asset, media, frames] { return toCached(cache.filmstrip(asset, media, frames)); });
}

}  // namespace lanterna::app
