// loadImage: header checks first (size, completeness, format), then OpenCV decodes, then EXIF orientation.
#include "lanterna/assets/image_io.h"

#include "file_util.h"
#include "image_header.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>

namespace lanterna::assets {
namespace {

// IMREAD_UNCHANGED keeps alpha and 16 bits but skips EXIF, so orientation is applied here.
void applyOrientation(cv::Mat& image, int orientation) {
  switch (orientation) {
    case 2: cv::flip(image, image, 1); break;
    case 3: cv::flip(image, image, -1); break;
    case 4: cv::flip(image, image, 0); break;
    case 5: cv::transpose(image, image); break;
    case 6: cv::rotate(image, image, cv::ROTATE_90_CLOCKWISE); break;
    case 7: cv::transpose(image, image); cv::flip(image, image, -1); break;
    case 8: cv::rotate(image, image, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: break;
  }
}

cv::Mat toRgba(const cv::Mat& decoded) {
  cv::Mat rgba;
  switch (decoded.channels()) {
    case 1: cv::cvtColor(decoded, rgba, cv::COLOR_GRAY2RGBA); break;
    case 2: {  // gray + alpha
      rgba.create(decoded.size(), CV_MAKETYPE(decoded.depth(), 4));
      const int fromTo[] = {0, 0, 0, 1, 0, 2, 1, 3};
      cv::mixChannels(&decoded, 1, &rgba, 1, fromTo, 4);
      break;
    }
    case 3: cv::cvtColor(decoded, rgba, cv::COLOR_BGR2RGBA); break;
    default: cv::cvtColor(decoded, rgba, cv::COLOR_BGRA2RGBA); break;
  }
  return rgba;
}

Frame toFrame(const cv::Mat& rgba, PixelFormat format) {
  Frame frame = Frame::allocate(rgba.cols, rgba.rows, format);
  for (int y = 0; y < rgba.rows; ++y)
    std::memcpy(frame.row<std::uint8_t>(y), rgba.ptr(y), frame.strideBytes);
  return frame;
}

Error refuse(ErrorKind kind, const std::filesystem::path& path, const std::string& why) {
  return makeError(kind, "Cannot import " + quoted(path) + ": " + why, path);
}

}  // namespace

Result<Frame> loadImage(const std::filesystem::path& path, const ImageLoadOptions& options) {
  auto bytes = readWholeFile(path);
  if (!bytes) return bytes.error();
  if (bytes->empty()) return refuse(ErrorKind::Truncated, path, "the file is empty (0 bytes).");

  // 1. What does the file claim to be?
  const ImageHeader header = readImageHeader(bytes->data(), bytes->size());
  if (header.format == ImageFileFormat::Unknown)
    return refuse(ErrorKind::FormatIncorrect, path, "it is not a PNG, JPEG, WebP or TIFF image.");
  if (header.format == ImageFileFormat::Gif || header.format == ImageFileFormat::Bmp)
    return refuse(ErrorKind::FeatureUnsupported, path,
                  std::string(imageFileFormatName(header.format)) + " images are not supported; use PNG, JPEG, WebP "
                  "or TIFF.");
  if (!header.sizeKnown)
    return refuse(header.complete ? ErrorKind::FormatIncorrect : ErrorKind::Truncated, path,
                  "the image header is missing or damaged.");

  // 2. Refuse absurd sizes before any pixel buffer exists.
  if (header.width <= 0 || header.height <= 0 || header.width > options.maxSide || header.height > options.maxSide ||
      header.width * header.height > options.maxPixels)
    return refuse(ErrorKind::FormatIncorrect, path,
                  "the header claims " + std::to_string(header.width) + "x" + std::to_string(header.height) +
                      " pixels, beyond the limit of " + std::to_string(options.maxSide) + " per side and " +
                      std::to_string(options.maxPixels) + " in total.");
  if (!header.complete)
    return refuse(ErrorKind::Truncated, path, "the file ends early (incomplete download or copy?).");

  // 3. Decode as stored: alpha and 16-bit kept.
  cv::Mat decoded;
  try {
    decoded = cv::imdecode(cv::Mat(1, int(bytes->size()), CV_8U, bytes->data()), cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    return refuse(ErrorKind::FormatIncorrect, path, "the decoder failed (" + e.msg + ").");
  }
  if (decoded.empty())
    return refuse(ErrorKind::FormatIncorrect, path,
                  std::string("the ") + imageFileFormatName(header.format) + " data could not be decoded (damaged?).");

  // 4. Pick the pixel format knowingly: 16-bit stays 16-bit, float stays float, other depths are normalised.
  PixelFormat format = PixelFormat::Rgba8;
  if (decoded.depth() == CV_16U) {
    format = PixelFormat::Rgba16;
  } else if (decoded.depth() == CV_32F || decoded.depth() == CV_64F) {
    decoded.convertTo(decoded, CV_32F);
    format = PixelFormat::RgbaF32;
  } else if (decoded.depth() != CV_8U) {
    cv::normalize(decoded, decoded, 0, 65535, cv::NORM_MINMAX, CV_16U);
    format = PixelFormat::Rgba16;
  }
  cv::Mat rgba = toRgba(decoded);
  applyOrientation(rgba, header.orientation);
  Frame frame = toFrame(rgba, format);
  if (options.bitDepth == BitDepth::To8) frame = convertFrame(frame, PixelFormat::Rgba8);
  return frame;
}

}  // namespace lanterna::assets
