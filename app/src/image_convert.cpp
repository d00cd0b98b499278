#include "lanterna/app/image_convert.h"

#include <QFile>
#include <QFileInfo>
#include <QImageReader>
#include <QSaveFile>

#include <cstring>

namespace lanterna::app {
namespace {
constexpr qint64 kMaxPixels = 16384ll * 16384ll;
}

QImage toQImage(const inference::Image& image) {
  if (image.empty()) return {};
  return QImage(image.rgb.data(), image.width, image.height, image.width * 3, QImage::Format_RGB888).copy();
}

inference::Image fromQImage(const QImage& source) {
  const QImage rgb = source.convertToFormat(QImage::Format_RGB888);
  inference::Image image;
  image.width = rgb.width();
  image.height = rgb.height();
  image.rgb.resize(static_cast<size_t>(image.width) * image.height * 3);
  for (int y = 0; y < image.height; ++y)
    std::memcpy(image.rgb.data() + static_cast<size_t>(y) * image.width * 3, rgb.constScanLine(y),
                static_cast<size_t>(image.width) * 3);
  return image;
}

Result<inference::Image> loadImageFile(const QString& path) {
  const std::string name = QFileInfo(path).fileName().toStdString();
  if (!QFileInfo::exists(path))
    return makeError(ErrorKind::FileNotFound, "Cannot open image \"" + name + "\": the file does not exist.",
                     path.toStdString());
  QImageReader reader(path);
  reader.setAutoTransform(true);  // EXIF orientation
  const QSize size = reader.size();
  if (!reader.canRead() || !size.isValid())
    return makeError(ErrorKind::FormatIncorrect,
                     "Cannot open image \"" + name + "\": " + reader.errorString().toStdString() + ".",
                     path.toStdString());
  if (static_cast<qint64>(size.width()) * size.height() > kMaxPixels)
    return makeError(ErrorKind::FeatureUnsupported,
                     "Cannot open image \"" + name + "\": it claims " + std::to_string(size.width()) + "x" +
                         std::to_string(size.height()) + " pixels, more than Lanterna accepts (16384x16384).",
                     path.toStdString());
  QImage image = reader.read();
  if (image.isNull())
    return makeError(ErrorKind::Truncated,
                     "Cannot open image \"" + name + "\": " + reader.errorString().toStdString() +
                         " (damaged or truncated file?).",
                     path.toStdString());
  return fromQImage(image);
}

Status savePng(const QImage& image, const QString& path, const QString& parameters) {
  QImage copy = image;
  if (!parameters.isEmpty()) copy.setText("parameters", parameters);
  QSaveFile file(path);  // writes a temporary file and renames it on commit
  const std::string name = QFileInfo(path).fileName().toStdString();
  if (!file.open(QIODevice::WriteOnly))
    return makeError(ErrorKind::NoWriteAccess,
                     "Cannot write \"" + name + "\": " + file.errorString().toStdString() + ".", path.toStdString());
  if (!copy.save(&file, "PNG") || !file.commit())
    return makeError(ErrorKind::DiskFull,
                     "Cannot write \"" + name + "\": " + file.errorString().toStdString() +
                         " (disk full?). Nothing was written.",
                     path.toStdString());
  return Ok{};
}

}  // namespace lanterna::app
