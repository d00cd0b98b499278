#include "image_header.h"

#include <cstring>

namespace lanterna::assets {
namespace {

std::uint32_t be16(const std::uint8_t* p) { return (std::uint32_t(p[0]) << 8) | p[1]; }
std::uint32_t be32(const std::uint8_t* p) { return (be16(p) << 16) | be16(p + 2); }
std::uint32_t le16(const std::uint8_t* p) { return (std::uint32_t(p[1]) << 8) | p[0]; }
std::uint32_t le32(const std::uint8_t* p) { return (le16(p + 2) << 16) | le16(p); }

// Minimal reader of TIFF IFD0 entries: tag -> first value (inline SHORT or LONG).
class TiffReader {
 public:
  TiffReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {
    valid_ = size >= 8 && (std::memcmp(data, "II*\0", 4) == 0 || std::memcmp(data, "MM\0*", 4) == 0);
    if (valid_) little_ = data[0] == 'I';
  }
  bool valid() const { return valid_; }

  // Returns false when the tag is absent or the IFD points outside the data. For arrays (count > 1) `value` is
  // the last element, which is what the strip-end check needs.
  bool find(std::uint32_t tag, std::uint32_t& value) const {
    if (!valid_) return false;
    const std::uint32_t ifd = u32(data_ + 4);
    if (std::size_t(ifd) + 2 > size_) return false;
    const std::uint32_t count = u16(data_ + ifd);
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::size_t entry = ifd + 2 + std::size_t(i) * 12;
      if (entry + 12 > size_) return false;
      if (u16(data_ + entry) != tag) continue;
      const std::uint32_t type = u16(data_ + entry + 2);
      const std::uint32_t items = u32(data_ + entry + 4);
      const std::size_t itemSize = type == 3 ? 2 : 4;
      std::size_t at = entry + 8;
      if (items * itemSize > 4) at = std::size_t(u32(data_ + entry + 8)) + (std::size_t(items) - 1) * itemSize;
      if (at + itemSize > size_) return false;
      value = type == 3 ? u16(data_ + at) : u32(data_ + at);
      return true;
    }
    return false;
  }

 private:
  std::uint32_t u16(const std::uint8_t* p) const { return little_ ? le16(p) : be16(p); }
  std::uint32_t u32(const std::uint8_t* p) const { return little_ ? le32(p) : be32(p); }
  const std::uint8_t* data_;
  std::size_t size_;
  bool valid_ = false;
  bool little_ = true;
};

void readPng(const std::uint8_t* d, std::size_t n, ImageHeader& h) {
  if (n < 24 || std::memcmp(d + 12, "IHDR", 4) != 0) { h.complete = false; return; }
  h.width = be32(d + 16);
  h.height = be32(d + 20);
  h.sizeKnown = true;
  h.complete = n >= 20 && std::memcmp(d + n - 8, "IEND", 4) == 0;
  for (std::size_t at = 8; at + 8 <= n;) {
    const std::size_t length = be32(d + at);
    if (std::memcmp(d + at + 4, "eXIf", 4) == 0 && at + 8 + length <= n)
      h.orientation = exifOrientation(d + at + 8, length);
    if (std::memcmp(d + at + 4, "IDAT", 4) == 0) break;  // eXIf must precede the pixels
    at += 12 + length;
  }
}

void readJpeg(const std::uint8_t* d, std::size_t n, ImageHeader& h) {
  std::size_t at = 2;
  while (at + 4 <= n) {
    if (d[at] != 0xFF) { ++at; continue; }
    const std::uint8_t marker = d[at + 1];
    if (marker == 0xFF) { ++at; continue; }
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) { at += 2; continue; }
    const std::size_t length = be16(d + at + 2);
    const std::uint8_t* body = d + at + 4;
    if (marker == 0xE1 && at + 2 + length <= n && length >= 8 && std::memcmp(body, "Exif\0\0", 6) == 0)
      h.orientation = exifOrientation(body + 6, length - 8);
    const bool frameHeader = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frameHeader && at + 9 <= n) {
      h.height = be16(body + 1);
      h.width = be16(body + 3);
      h.sizeKnown = true;
    }
    if (marker == 0xDA) break;  // start of scan: the header is over
    at += 2 + length;
  }
  // A complete JPEG ends with EOI; allow a little trailing padding some cameras add.
  h.complete = false;
  const std::size_t stop = n > 256 ? n - 256 : 0;
  for (std::size_t i = n - 1; i > stop; --i)
    if (d[i - 1] == 0xFF && d[i] == 0xD9) { h.complete = true; break; }
}

void readWebP(const std::uint8_t* d, std::size_t n, ImageHeader& h) {
  h.complete = std::size_t(le32(d + 4)) + 8 <= n;
  for (std::size_t at = 12; at + 8 <= n;) {
    const std::size_t length = le32(d + at + 4);
    const std::uint8_t* body = d + at + 8;
    const std::size_t avail = n - (at + 8);
    if (std::memcmp(d + at, "VP8X", 4) == 0 && avail >= 10) {
      h.width = 1 + (body[4] | (body[5] << 8) | (body[6] << 16));
      h.height = 1 + (body[7] | (body[8] << 8) | (body[9] << 16));
      h.sizeKnown = true;
    } else if (std::memcmp(d + at, "VP8 ", 4) == 0 && avail >= 10 && !h.sizeKnown) {
      h.width = le16(body + 6) & 0x3FFF;
      h.height = le16(body + 8) & 0x3FFF;
      h.sizeKnown = true;
    } else if (std::memcmp(d + at, "VP8L", 4) == 0 && avail >= 5 && !h.sizeKnown) {
      const std::uint32_t bits = le32(body + 1);
      h.width = 1 + (bits & 0x3FFF);
      h.height = 1 + ((bits >> 14) & 0x3FFF);
      h.sizeKnown = true;
    } else if (std::memcmp(d + at, "EXIF", 4) == 0 && length <= avail) {
      const bool prefixed = length >= 6 && std::memcmp(body, "Exif\0\0", 6) == 0;
      h.orientation = exifOrientation(body + (prefixed ? 6 : 0), length - (prefixed ? 6 : 0));
    }
    at += 8 + length + (length & 1);
  }
}

void readTiff(const std::uint8_t* d, std::size_t n, ImageHeader& h) {
  TiffReader tiff(d, n);
  std::uint32_t width = 0, height = 0, offset = 0, count = 0, orientation = 1;
  h.sizeKnown = tiff.find(256, width) && tiff.find(257, height);
  h.width = width;
  h.height = height;
  if (tiff.find(274, orientation)) h.orientation = int(orientation);
  // The last strip must end inside the file; a cheap completeness check.
  if (tiff.find(273, offset) && tiff.find(279, count)) h.complete = std::size_t(offset) + count <= n;
  if (!h.sizeKnown) h.complete = false;
}

}  // namespace

const char* imageFileFormatName(ImageFileFormat format) {
  switch (format) {
    case ImageFileFormat::Png: return "PNG";
    case ImageFileFormat::Jpeg: return "JPEG";
    case ImageFileFormat::WebP: return "WebP";
    case ImageFileFormat::Tiff: return "TIFF";
    case ImageFileFormat::Gif: return "GIF";
    case ImageFileFormat::Bmp: return "BMP";
    case ImageFileFormat::Unknown: break;
  }
  return "unknown";
}

int exifOrientation(const std::uint8_t* tiff, std::size_t size) {
  std::uint32_t value = 1;
  if (!TiffReader(tiff, size).find(274, value) || value < 1 || value > 8) return 1;
  return int(value);
}

ImageHeader readImageHeader(const std::uint8_t* d, std::size_t n) {
  ImageHeader h;
  if (n >= 8 && std::memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) {
    h.format = ImageFileFormat::Png;
    readPng(d, n, h);
  } else if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) {
    h.format = ImageFileFormat::Jpeg;
    readJpeg(d, n, h);
  } else if (n >= 12 && std::memcmp(d, "RIFF", 4) == 0 && std::memcmp(d + 8, "WEBP", 4) == 0) {
    h.format = ImageFileFormat::WebP;
    readWebP(d, n, h);
  } else if (n >= 8 && (std::memcmp(d, "II*\0", 4) == 0 || std::memcmp(d, "MM\0*", 4) == 0)) {
    h.format = ImageFileFormat::Tiff;
    readTiff(d, n, h);
  } else if (n >= 6 && (std::memcmp(d, "GIF87a", 6) == 0 || std::memcmp(d, "GIF89a", 6) == 0)) {
    h.format = ImageFileFormat::Gif;
  } else if (n >= 2 && d[0] == 'B' && d[1] == 'M') {
    h.format = ImageFileFormat::Bmp;
  }
  return h;
}

}  // namespace lanterna::assets
