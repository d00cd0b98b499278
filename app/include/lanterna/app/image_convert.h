// Conversions between the engine's RGB8 images and Qt images, and image files on disk. Thread-safe.
#pragma once

#include <QImage>
#include <QString>

#include "lanterna/inference/engine.h"
#include "lanterna/result.h"

namespace lanterna::app {

QImage toQImage(const inference::Image& image);
inference::Image fromQImage(const QImage& image);
// Loads an image file (EXIF orientation applied), refusing absurd dimensions before decoding.
Result<inference::Image> loadImageFile(const QString& path);
// Writes a PNG through a temporary file and a rename, with an optional "parameters" text chunk.
Status savePng(const QImage& image, const QString& path, const QString& parameters = {});

}  // namespace lanterna::app
