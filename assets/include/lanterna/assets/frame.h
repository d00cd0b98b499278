// A decoded picture in memory: RGBA, 8 or 16 bits per channel or 32-bit float, rows `strideBytes` apart. Usage:
//   Frame frame = Frame::allocate(64, 48, PixelFormat::Rgba8);
//   frame.row<uint8_t>(y)[4 * x + 3] = 255;            // alpha of pixel (x, y)
//   Frame eight = convertFrame(frame16, PixelFormat::Rgba8);
// Alpha is straight (not premultiplied). A Frame is a plain value; share it read-only between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lanterna::assets {

enum class PixelFormat { Unset, Rgba8, Rgba16, RgbaF32 };

// Bytes of one pixel (four channels) in `format`; 0 for Unset.
std::size_t bytesPerPixel(PixelFormat format);

struct Frame {
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::Unset;
  std::size_t strideBytes = 0;
  std::vector<std::uint8_t> data;

  // Tightly packed, zero-filled (transparent black).
  static Frame allocate(int width, int height, PixelFormat format);

  bool empty() const { return width <= 0 || height <= 0 || data.empty(); }
  template <class T> T* row(int y) { return reinterpret_cast<T*>(data.data() + strideBytes * std::size_t(y)); }
  template <class T> const T* row(int y) const {
    return reinterpret_cast<const T*>(data.data() + strideBytes * std::size_t(y));
  }
};

// Converts between formats: 16-bit -> 8-bit rounds (v * 255 / 65535), float clamps to [0, 1] first.
Frame convertFrame(const Frame& source, PixelFormat target);

// Scales to width x height with area averaging when shrinking (thumbnails), bilinear when growing.
Frame scaleFrame(const Frame& source, int width, int height);

// Largest size with the source aspect ratio that fits inside maxWidth x maxHeight (at least 1x1).
void fitInside(int width, int height, int maxWidth, int maxHeight, int& outWidth, int& outHeight);

}  // namespace lanterna::assets
