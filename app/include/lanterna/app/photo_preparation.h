// Turns a user's photo into the exact picture an image-to-video model is conditioned on: decoded with its EXIF
// orientation, colour managed to sRGB (embedded ICC profiles such as Adobe RGB or Display P3 are converted),
// 16-bit sources kept at 16 bits until the end, transparency flattened on white, then cropped to fill (or padded
// to fit, letterboxed in mid grey) exactly width x height with area-averaging scaling, optionally restored. Usage:
//   PhotoPreparation options{.width = 1024, .height = 576};
//   options.crop = QRectF(0.1, 0.0, 0.8, 0.9);      // of the upright photo; centred when unset
//   Result<QImage> picture = preparePhoto("grandma.jpg", options);   // Format_RGB888, 1024x576
// A pure function of its inputs: safe to call from any thread (it may raise Qt's global image allocation limit).
#pragma once

#include <QImage>
#include <QRectF>

#include <filesystem>
#include <optional>

#include "lanterna/result.h"

namespace lanterna::app {

struct PhotoPreparation {
  int width = 0;
  int height = 0;
  // Crop: fill the frame, cutting what overflows. Pad: show all of it, letterboxed in mid grey (128, the zero of a
  // model's [-1, 1] input range, so bars carry no colour).
  enum class Fit { Crop, Pad } fit = Fit::Crop;
  std::optional<QRectF> crop; /* normalized 0..1 rect of the oriented photo; centred when unset */
  bool restore = false;       // assets::restorePhoto (denoise, dust and scratches, contrast) at the output size
};

// Errors name the file: FileNotFound, NoReadAccess, FormatIncorrect (not an image), FeatureUnsupported (more than
// 100 megapixels, refused before decoding), Truncated (cut short), InvalidArgument (size or crop out of range).
Result<QImage> preparePhoto(const std::filesystem::path& photo, const PhotoPreparation& options);

}  // namespace lanterna::app
