// 1. Check the header (size, format) before decoding  2. Decode upright (EXIF)  3. Convert to sRGB at the source's
// depth  4. Flatten alpha on white  5. Choose the region (crop rect, then centred to the output's aspect when
// cropping)  6. Scale with area averaging  7. Restore (optional)  8. Letterbox when padding.
#include "lanterna/app/photo_preparation.h"

#include <QColorSpace>
#include <QFile>
#include <QFileInfo>
#include <QImageReader>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "lanterna/assets/photo_restore.h"

namespace lanterna::app {
namespace {

namespace fs = std::filesystem;

constexpr qint64 kMaxPixels = 100'000'000;
constexpr int kMaxOutputSide = 16384;
constexpr int kPadGrey = 128;
constexpr qint64 kJpegTailBytes = 64 * 1024;  // trailers some cameras append after the end-of-image marker

Error failure(ErrorKind kind, const fs::path& photo, const std::string& problem) {
  return makeError(kind, "Cannot prepare photo \"" + photo.filename().string() + "\": " + problem, photo);
}

// libjpeg pads a cut-short file with grey and only warns, so a JPEG without an end-of-image marker near its end is
// caught here instead.
bool jpegLooksComplete(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return false;
  file.seek(std::max<qint64>(0, file.size() - kJpegTailBytes));
  return file.readAll().contains(QByteArray("\xFF\xD9", 2));
}

bool isDeep(const QImage& image) { return image.depth() > 32 || image.format() == QImage::Format_Grayscale16; }

// sRGB and alpha-free, at 16 bits per channel when the source has more than 8.
QImage toOpaqueSrgb(QImage image) {
  const bool deep = isDeep(image);
  const bool alpha = image.hasAlphaChannel();
  const QColorSpace space = image.colorSpace();
  image.convertTo(deep ? (alpha ? QImage::Format_RGBA64 : QImage::Format_RGBX64)
                       : (alpha ? QImage::Format_ARGB32 : QImage::Format_RGB32));
  if (space.isValid() && space != QColorSpace(QColorSpace::SRgb)) {
    image.setColorSpace(space);  // conversions keep it, but say so rather than rely on it
    image.convertToColorSpace(QColorSpace::SRgb);
  }
  if (!alpha) return image;
  // White, as the paper under a print: a cut-out portrait reads as a photo on a page, not as a silhouette.
  QImage flat(image.size(), deep ? QImage::Format_RGBX64 : QImage::Format_RGB32);
  flat.fill(Qt::white);
  QPainter painter(&flat);
  painter.drawImage(0, 0, image);
  painter.end();
  flat.setColorSpace(QColorSpace::SRgb);
  return flat;
}

// Pixels of the upright photo to use: the crop rect (or all), narrowed to the output's aspect ratio around its
// centre when the photo is to fill the frame.
QRect sourceRegion(QSize photo, const PhotoPreparation& options) {
  const QRectF unit = options.crop.value_or(QRectF(0, 0, 1, 1));
  QRectF region(unit.x() * photo.width(), unit.y() * photo.height(), unit.width() * photo.width(),
                unit.height() * photo.height());
  if (options.fit == PhotoPreparation::Fit::Crop) {
    const double aspect = double(options.width) / options.height;
    const QPointF centre = region.center();
    if (region.width() > region.height() * aspect) region.setWidth(region.height() * aspect);
    else region.setHeight(region.width() / aspect);
    region.moveCenter(centre);
  }
  const int left = std::clamp(int(std::lround(region.left())), 0, photo.width() - 1);
  const int top = std::clamp(int(std::lround(region.top())), 0, photo.height() - 1);
  const int right = std::clamp(int(std::lround(region.right())), left + 1, photo.width());
  const int bottom = std::clamp(int(std::lround(region.bottom())), top + 1, photo.height());
  return QRect(left, top, right - left, bottom - top);
}

QImage restored(const QImage& picture) {
  const QImage rgba = picture.convertToFormat(QImage::Format_RGBA8888);
  auto frame = assets::Frame::allocate(rgba.width(), rgba.height(), assets::PixelFormat::Rgba8);
  for (int y = 0; y < rgba.height(); ++y)
    std::memcpy(frame.row<std::uint8_t>(y), rgba.constScanLine(y), frame.strideBytes);
  const assets::Frame out = assets::restorePhoto(frame);
  return QImage(out.data.data(), out.width, out.height, qsizetype(out.strideBytes), QImage::Format_RGBA8888)
      .convertToFormat(QImage::Format_RGB888);
}

std::string sizeText(QSize size) { return std::to_string(size.width()) + "x" + std::to_string(size.height()); }

Status validate(const PhotoPreparation& options) {
  if (options.width <= 0 || options.height <= 0 || options.width > kMaxOutputSide || options.height > kMaxOutputSide)
    return makeError(ErrorKind::InvalidArgument, "Cannot prepare a photo at " + std::to_string(options.width) + "x" +
                                                     std::to_string(options.height) + ": the size must be 1.." +
                                                     std::to_string(kMaxOutputSide) + " on each side.");
  if (const auto& c = options.crop) {
    constexpr double kSlack = 1e-6;
    if (!(c->width() > 0 && c->height() > 0 && c->left() >= -kSlack && c->top() >= -kSlack &&
          c->right() <= 1 + kSlack && c->bottom() <= 1 + kSlack))
      return makeError(ErrorKind::InvalidArgument,
                       "Cannot prepare a photo with crop (" + std::to_string(c->x()) + ", " + std::to_string(c->y()) +
                           ", " + std::to_string(c->width()) + ", " + std::to_string(c->height()) +
                           "): the crop must be a non-empty rect inside 0..1 of the photo.");
  }
  return Ok{};
}

}  // namespace

Result<QImage> preparePhoto(const fs::path& photo, const PhotoPreparation& options) {
  if (auto valid = validate(options); !valid) return valid.error();
  const QString path = QString::fromStdString(photo.string());
  const QFileInfo info(path);
  if (!info.exists()) return failure(ErrorKind::FileNotFound, photo, "the file does not exist.");
  if (!info.isFile() || !info.isReadable()) return failure(ErrorKind::NoReadAccess, photo, "the file cannot be read.");
  if (info.size() == 0) return failure(ErrorKind::Truncated, photo, "the file is empty.");

  // 1. The header alone, so a hostile size costs nothing.
  QImageReader reader(path);
  reader.setAutoTransform(true);
  if (!reader.canRead())
    return failure(ErrorKind::FormatIncorrect, photo,
                   "it is not an image Lanterna can read (" + reader.errorString().toStdString() + ").");
  const QSize stored = reader.size();
  if (!stored.isValid())  // the signature says image, the header does not follow
    return failure(ErrorKind::Truncated, photo,
                   "its " + reader.format().toStdString() + " header is damaged or cut short (" +
                       reader.errorString().toStdString() + ").");
  const qint64 pixels = qint64(stored.width()) * stored.height();
  if (pixels > kMaxPixels)
    return failure(ErrorKind::FeatureUnsupported, photo,
                   "its header claims " + sizeText(stored) + " pixels, more than the 100 megapixels Lanterna accepts.");
  const bool jpeg = reader.format() == "jpeg";
  if (jpeg && !jpegLooksComplete(path))
    return failure(ErrorKind::Truncated, photo, "the JPEG data ends early (truncated download or copy?).");
  // Qt refuses images over 128 MB by default; our own limit above is the one that matters.
  const int neededMb = int(pixels * 8 / (1024 * 1024)) + 1;
  if (QImageReader::allocationLimit() != 0 && QImageReader::allocationLimit() < neededMb)
    QImageReader::setAllocationLimit(neededMb);

  // 2. Decode, upright.
  QImage image = reader.read();
  if (image.isNull())
    return failure(ErrorKind::Truncated, photo,
                   "decoding failed (" + reader.errorString().toStdString() + "); the file is damaged or cut short.");

  // 3-4. sRGB, opaque.
  image = toOpaqueSrgb(std::move(image));

  // 5-6. Region and scale.
  const QSize target(options.width, options.height);
  const QRect region = sourceRegion(image.size(), options);
  QSize content = target;
  if (options.fit == PhotoPreparation::Fit::Pad) {
    content = region.size().scaled(target, Qt::KeepAspectRatio);
    content = content.expandedTo(QSize(1, 1));
  }
  QImage picture = image.copy(region).scaled(content, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
  picture = picture.convertToFormat(QImage::Format_RGB888);

  // 7. Restoration at the size the model sees: its strength is measured on that picture, and it stays fast.
  if (options.restore) picture = restored(picture);

  // 8. Letterbox.
  if (content != target) {
    QImage canvas(target, QImage::Format_RGB888);
    canvas.fill(QColor(kPadGrey, kPadGrey, kPadGrey));
    QPainter painter(&canvas);
    painter.drawImage((target.width() - content.width()) / 2, (target.height() - content.height()) / 2, picture);
    painter.end();
    picture = canvas;
  }
  picture.setColorSpace(QColorSpace::SRgb);
  return picture;
}

}  // namespace lanterna::app
