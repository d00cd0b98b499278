// Reads what an image file claims about itself (format, size, EXIF orientation, whether it looks complete)
// without decoding pixels, so absurd or cut-short files are refused before OpenCV allocates anything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lanterna::assets {

enum class ImageFileFormat { Unknown, Png, Jpeg, WebP, Tiff, Gif, Bmp };

struct ImageHeader {
  ImageFileFormat format = ImageFileFormat::Unknown;
  std::int64_t width = 0;
  std::int64_t height = 0;
  int orientation = 1;      // EXIF 1..8; 1 = as stored
  bool complete = true;     // false when the container says more bytes should follow
  bool sizeKnown = false;
};

const char* imageFileFormatName(ImageFileFormat format);

ImageHeader readImageHeader(const std::uint8_t* data, std::size_t size);

// Orientation tag (0x0112) from a TIFF-structured EXIF block ("II*\0" or "MM\0*"); 1 when absent.
int exifOrientation(const std::uint8_t* tiff, std::size_t size);

}  // namespace lanterna::assets
