#include "lanterna/assets/frame.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace lanterna::assets {
namespace {

int cvType(PixelFormat format) {
  switch (format) {
    case PixelFormat::Rgba8: return CV_8UC4;
    case PixelFormat::Rgba16: return CV_16UC4;
    case PixelFormat::RgbaF32: return CV_32FC4;
    case PixelFormat::Unset: break;
  }
  return -1;
}

cv::Mat wrap(const Frame& frame) {
  return cv::Mat(frame.height, frame.width, cvType(frame.format), const_cast<std::uint8_t*>(frame.data.data()),
                 frame.strideBytes);
}

double fullScale(PixelFormat format) {
  return format == PixelFormat::Rgba8 ? 255.0 : format == PixelFormat::Rgba16 ? 65535.0 : 1.0;
}

}  // namespace

std::size_t bytesPerPixel(PixelFormat format) {
  switch (format) {
    case PixelFormat::Rgba8: return 4;
    case PixelFormat::Rgba16: return 8;
    case PixelFormat::RgbaF32: return 16;
    case PixelFormat::Unset: break;
  }
  return 0;
}

Frame Frame::allocate(int width, int height, PixelFormat format) {
  Frame frame;
  frame.width = width;
  frame.height = height;
  frame.format = format;
  frame.strideBytes = std::size_t(std::max(width, 0)) * bytesPerPixel(format);
  frame.data.assign(frame.strideBytes * std::size_t(std::max(height, 0)), 0);
  return frame;
}

Frame convertFrame(const Frame& source, PixelFormat target) {
  if (source.format == target || source.empty()) return source;
  Frame out = Frame::allocate(source.width, source.height, target);
  cv::Mat in = wrap(source);
  cv::Mat dst = wrap(out);
  if (source.format == PixelFormat::RgbaF32) {
    // Out-of-range floats (HDR, filters) clamp instead of wrapping.
    cv::Mat clamped;
    cv::min(cv::max(in, 0.0), 1.0, clamped);
    clamped.convertTo(dst, cvType(target), fullScale(target));
  } else {
    in.convertTo(dst, cvType(target), fullScale(target) / fullScale(source.format));
  }
  return out;
}

Frame scaleFrame(const Frame& source, int width, int height) {
  if (source.empty() || width <= 0 || height <= 0) return {};
  Frame out = Frame::allocate(width, height, source.format);
  cv::Mat dst = wrap(out);
  const bool shrinking = width < source.width || height < source.height;
  cv::resize(wrap(source), dst, dst.size(), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

void fitInside(int width, int height, int maxWidth, int maxHeight, int& outWidth, int& outHeight) {
  const double scale = std::min(double(maxWidth) / std::max(width, 1), double(maxHeight) / std::max(height, 1));
  outWidth = std::max(1, int(std::lround(width * scale)));
  outHeight = std::max(1, int(std::lround(height * scale)));
}

}  // namespace lanterna::assets
