// The files a finished generation leaves in the project, written off the UI thread: a still is one PNG; a clip is
// an H.264 MP4 at high quality (every frame) plus its frame 0 as a PNG, which carries the A1111 parameters and
// serves as the history thumbnail. Also reads clips back as frames for the viewer (decoded on a worker, cached),
// and prepares the photo of an image-to-video job.
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <algorithm>
#include <cmath>
#include <cstring>

#include "lanterna/app/frame_provider.h"
#include "lanterna/app/generation_service.h"
#include "lanterna/app/image_convert.h"
#include "lanterna/app/project_store.h"

// Photo preparation (EXIF, sRGB, crop, restoration) is another module; without it, the init image is only cropped.
#if __has_include("lanterna/app/photo_preparation.h")
#include "lanterna/app/photo_preparation.h"
#define LANTERNA_HAS_PHOTO_PREPARATION 1
#endif
#include "lanterna/assets/video_decoder.h"
#include "lanterna/assets/video_writer.h"

namespace lanterna::app {

namespace {

// CRF 10: visually lossless for generated frames at a fraction of a lossless file's size.
constexpr int kClipQuality = 10;

assets::Frame toFrame(const QImage& image) {
  const QImage rgba = image.convertToFormat(QImage::Format_RGBA8888);
  assets::Frame frame = assets::Frame::allocate(rgba.width(), rgba.height(), assets::PixelFormat::Rgba8);
  for (int y = 0; y < rgba.height(); ++y)
    std::memcpy(frame.row<std::uint8_t>(y), rgba.constScanLine(y), std::size_t(rgba.width()) * 4);
  return frame;
}

assets::Rational rationalFor(double fps) {
  // Whole rates stay exact; NTSC-like rates keep three decimals.
  if (std::abs(fps - std::round(fps)) < 1e-6) return {static_cast<int>(std::lround(fps)), 1};
  return {static_cast<int>(std::lround(fps * 1000)), 1000};
}

QString tempPath(const ProjectStore& store, const QString& suffix) {
  static std::atomic<int> counter{0};
  const QString folder = QString::fromStdString(store.mediaDir().string());
  QDir().mkpath(folder);
  return QDir(folder).filePath(
      QStringLiteral(".take-%1-%2.%3").arg(QDateTime::currentMSecsSinceEpoch()).arg(counter++).arg(suffix));
}

Result<AssetRecord> importAndRemove(ProjectStore& store, const QString& temp, AssetKind kind, const QString& info) {
  auto asset = store.importMedia(temp.toStdString(), kind, info.toStdString());
  QFile::remove(temp);
  return asset;
}

}  // namespace

Result<TakeMedia> storeTakeMedia(ProjectStore& store, const std::vector<QImage>& frames, double fps,
                                 const QString& parameters) {
  if (frames.empty() || frames.front().isNull())
    return makeError(ErrorKind::Internal, "The generation finished without an image.");
  const QImage& first = frames.front();
  TakeMedia media;
  media.frames = static_cast<int>(frames.size());
  media.fps = fps > 0 ? fps : 8.0;

  const QString png = tempPath(store, "png");
  if (auto saved = savePng(first, png, parameters); !saved) return saved.error();
  auto still = importAndRemove(store, png, AssetKind::Image,
                               QStringLiteral(R"({"width": %1, "height": %2})").arg(first.width()).arg(first.height()));
  if (!still) return still.error();
  media.still = still->id;
  media.asset = still->id;
  if (frames.size() == 1) return media;

  // H.264 4:2:0 needs even sides; generated sizes are multiples of 8, odd ones are padded by one pixel.
  assets::ExportSettings settings;
  settings.format = assets::ExportFormat::Mp4H264;
  settings.width = (first.width() + 1) / 2 * 2;
  settings.height = (first.height() + 1) / 2 * 2;
  settings.frameRate = rationalFor(media.fps);
  settings.quality = kClipQuality;
  settings.metadata = {{"comment", parameters.toStdString()}};
  const QString mp4 = tempPath(store, "mp4");
  const auto source = [&](std::int64_t index) -> Result<assets::Frame> {
    QImage image = frames[std::size_t(index)];
    if (image.size() != QSize(settings.width, settings.height))
      image = image.copy(0, 0, settings.width, settings.height);  // pads with black past the edge
    return toFrame(image);
  };
  if (auto written = assets::exportVideo(mp4.toStdString(), settings, std::int64_t(frames.size()), source); !written)
    return written.error();
  auto clip = importAndRemove(store, mp4, AssetKind::Video,
                              QStringLiteral(R"({"width": %1, "height": %2, "frames": %3, "fps": %4})")
                                  .arg(first.width())
                                  .arg(first.height())
                                  .arg(frames.size())
                                  .arg(media.fps));
  if (!clip) return clip.error();
  media.asset = clip->id;
  return media;
}

Result<ClipFrames> readClipFrames(const std::filesystem::path& file) {
  auto decoder = assets::VideoDecoder::open(file);
  if (!decoder) return decoder.error();
  ClipFrames clip;
  clip.fps = decoder->outputRate().value();
  for (std::int64_t i = 0; i < decoder->frameCount(); ++i) {
    auto frame = decoder->frameAt(i);
    if (!frame) {
      if (frame.error().kind == ErrorKind::Truncated && !clip.frames.empty()) break;  // keep what decoded
      return frame.error();
    }
    clip.frames.push_back(toQImage(*frame));
  }
  if (clip.frames.empty()) return makeError(ErrorKind::Truncated, "\"" + file.string() + "\" has no frames.", file);
  return clip;
}

QImage GenerationService::assetImage(AssetId asset) const {
  if (asset == 0 || !store_) return {};
  if (auto it = images_.find(asset); it != images_.end()) return *it;
  if (auto it = clips_.find(asset); it != clips_.end()) return it->frames.front();
  loadAsset(asset);
  return {};
}

QImage GenerationService::assetFrame(AssetId asset, double seconds) const {
  const auto it = clips_.find(asset);
  if (it == clips_.end()) return assetImage(asset);
  return it->frames[std::size_t(frameIndexAt(seconds, it->fps, static_cast<int>(it->frames.size())))];
}

int GenerationService::assetFrameCount(AssetId asset) const {
  if (const auto it = clips_.find(asset); it != clips_.end()) return static_cast<int>(it->frames.size());
  return assetImage(asset).isNull() ? 0 : 1;
}

double GenerationService::assetFps(AssetId asset) const {
  const auto it = clips_.find(asset);
  return it == clips_.end() ? 0.0 : it->fps;
}

// Pictures are read and clips decoded whole (they are short) on the global pool, never on the UI thread; the
// timeline, viewer and history repaint on assetLoaded().
void GenerationService::loadAsset(AssetId asset) const {
  if (loading_.contains(asset) || !store_) return;
  auto record = store_->asset(asset);
  if (!record || (record->kind != AssetKind::Image && record->kind != AssetKind::Video)) return;
  loading_.insert(asset);
  const auto path = store_->file().parent_path() / record->path;
  const bool still = record->kind == AssetKind::Image;
  auto* watcher = new QFutureWatcher<Result<ClipFrames>>(const_cast<GenerationService*>(this));
  connect(watcher, &QFutureWatcher<Result<ClipFrames>>::finished, this,
          [this, watcher, asset, still, project = project_] {
            watcher->deleteLater();
            loading_.remove(asset);
            if (project != project_) return;
            const Result<ClipFrames> media = watcher->result();
            // Unreadable media shows as missing (a null image) instead of being retried on every paint.
            if (still) images_.insert(asset, media ? media->frames.front() : QImage());
            else clips_.insert(asset, media ? *media : ClipFrames{{QImage()}, 0.0});
            emit const_cast<GenerationService*>(this)->assetLoaded(asset);
          });
  watcher->setFuture(QtConcurrent::run([path, still]() -> Result<ClipFrames> {
    if (!still) return readClipFrames(path);
    QImage image(QString::fromStdString(path.string()));
    if (image.isNull()) return makeError(ErrorKind::FormatIncorrect, "Cannot read \"" + path.string() + "\".", path);
    return ClipFrames{{image}, 0.0};
  }));
}

// The init image of an image-to-video job: the photo, oriented, in sRGB, cropped to fill the requested size and
// restored when asked (the photo preparation module).
Result<inference::Image> preparedPhoto(const std::filesystem::path& photo, int width, int height, bool restore) {
#ifdef LANTERNA_HAS_PHOTO_PREPARATION
  PhotoPreparation preparation;
  preparation.width = width;
  preparation.height = height;
  preparation.restore = restore;
  auto prepared = preparePhoto(photo, preparation);
  if (!prepared) return prepared.error();
  return fromQImage(*prepared);
#else
  (void)restore;
  auto loaded = loadImageFile(QString::fromStdString(photo.string()));
  if (!loaded) return loaded.error();
  const QImage image =
      toQImage(*loaded).scaled(width, height, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation);
  return fromQImage(image.copy((image.width() - width) / 2, (image.height() - height) / 2, width, height));
#endif
}

}  // namespace lanterna::app
