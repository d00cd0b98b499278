// saveImage and readPngText: OpenCV encodes the pixels; the text chunks are spliced in after IHDR by hand because
// OpenCV cannot write tEXt. Chunk layout per the PNG spec: length (BE32), type, data, CRC-32 of type + data.
#include "lanterna/assets/image_io.h"

#include "file_util.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <zlib.h>

#include <cstring>

namespace lanterna::assets {
namespace {

constexpr std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
constexpr std::size_t kIhdrEnd = 8 + 12 + 13;

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

void putBe32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::uint8_t(v >> shift));
}

void appendChunk(std::vector<std::uint8_t>& out, const char* type, const std::string& data) {
  putBe32(out, std::uint32_t(data.size()));
  const std::size_t typeAt = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  putBe32(out, std::uint32_t(crc32(0, out.data() + typeAt, uInt(out.size() - typeAt))));
}

bool isAscii(const std::string& text) {
  for (unsigned char c : text) if (c >= 0x80) return false;
  return true;
}

bool validKey(const std::string& key) {
  if (key.empty() || key.size() > 79 || key.front() == ' ' || key.back() == ' ') return false;
  for (unsigned char c : key) if (c < 32 || (c > 126 && c < 161)) return false;
  return true;
}

bool inflateAll(const std::uint8_t* data, std::size_t size, std::string& out) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return false;
  stream.next_in = const_cast<Bytef*>(data);
  stream.avail_in = uInt(size);
  char buffer[16384];
  int code = Z_OK;
  while (code == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    code = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
    if (out.size() > (std::size_t(64) << 20)) code = Z_MEM_ERROR;  // a text chunk is never this large
  }
  inflateEnd(&stream);
  return code == Z_STREAM_END;
}

}  // namespace

Status saveImage(const Frame& frame, const std::filesystem::path& path, const PngTextChunks& text) {
  if (frame.empty() || frame.format == PixelFormat::Unset)
    return makeError(ErrorKind::InvalidArgument, "Cannot save " + quoted(path) + ": the frame is empty.", path);
  for (const auto& [key, value] : text)
    if (!validKey(key))
      return makeError(ErrorKind::InvalidArgument,
                       "Cannot save " + quoted(path) + ": \"" + key + "\" is not a valid PNG text key (1-79 "
                       "printable Latin-1 characters).", path);

  // 1. Pixels -> PNG bytes (8-bit stays 8-bit; 16-bit and float become 16-bit).
  const Frame source = frame.format == PixelFormat::Rgba8 ? frame : convertFrame(frame, PixelFormat::Rgba16);
  const int type = source.format == PixelFormat::Rgba8 ? CV_8UC4 : CV_16UC4;
  cv::Mat rgba(source.height, source.width, type, const_cast<std::uint8_t*>(source.data.data()), source.strideBytes);
  cv::Mat bgra;
  cv::cvtColor(rgba, bgra, cv::COLOR_RGBA2BGRA);
  std::vector<std::uint8_t> encoded;
  if (!cv::imencode(".png", bgra, encoded) || encoded.size() < kIhdrEnd)
    return makeError(ErrorKind::Internal, "Cannot save " + quoted(path) + ": PNG encoding failed.", path);

  // 2. Text chunks right after IHDR, where readers look first.
  std::vector<std::uint8_t> chunks;
  for (const auto& [key, value] : text) {
    if (isAscii(value)) {
      appendChunk(chunks, "tEXt", key + '\0' + value);
    } else {  // UTF-8: iTXt, uncompressed, no language tag
      appendChunk(chunks, "iTXt", key + std::string("\0\0\0\0\0", 5) + value);
    }
  }
  encoded.insert(encoded.begin() + kIhdrEnd, chunks.begin(), chunks.end());

  // 3. Temp file, then rename: a failed save never leaves a half file under the final name.
  const auto temporary = temporarySibling(path);
  if (auto written = writeWholeFile(temporary, encoded); !written) {
    Error error = written.error();
    error.message = "Cannot save " + quoted(path) + ": " + error.message;
    error.file = path;
    return error;
  }
  return commitTemporary(temporary, path);
}

Result<PngTextChunks> readPngText(const std::filesystem::path& path) {
  auto bytes = readWholeFile(path);
  if (!bytes) return bytes.error();
  const std::uint8_t* d = bytes->data();
  const std::size_t n = bytes->size();
  if (n == 0) return makeError(ErrorKind::Truncated, "Cannot read " + quoted(path) + ": the file is empty.", path);
  if (n < 8 || std::memcmp(d, kSignature, 8) != 0)
    return makeError(ErrorKind::FormatIncorrect, "Cannot read " + quoted(path) + ": it is not a PNG file.", path);

  PngTextChunks result;
  for (std::size_t at = 8;;) {
    if (at + 12 > n)
      return makeError(ErrorKind::Truncated, "Cannot read " + quoted(path) + ": the PNG ends before IEND.", path);
    const std::size_t length = be32(d + at);
    if (length > n - at - 12)
      return makeError(ErrorKind::Truncated, "Cannot read " + quoted(path) + ": a chunk runs past the end.", path);
    const char* type = reinterpret_cast<const char*>(d + at + 4);
    const std::uint8_t* data = d + at + 8;
    const bool textChunk = !std::memcmp(type, "tEXt", 4) || !std::memcmp(type, "zTXt", 4) ||
                           !std::memcmp(type, "iTXt", 4);
    if (textChunk) {
      if (crc32(0, d + at + 4, uInt(length + 4)) != be32(data + length))
        return makeError(ErrorKind::FormatIncorrect,
                         "Cannot read " + quoted(path) + ": a text chunk fails its CRC check (damaged file).", path);
      const std::string body(reinterpret_cast<const char*>(data), length);
      const std::size_t keyEnd = body.find('\0');
      if (keyEnd != std::string::npos) {
        const std::string key = body.substr(0, keyEnd);
        std::string value;
        bool ok = true;
        if (type[0] == 't') {
          value = body.substr(keyEnd + 1);
        } else if (type[0] == 'z') {
          ok = keyEnd + 2 <= body.size() && inflateAll(data + keyEnd + 2, length - keyEnd - 2, value);
        } else {  // iTXt: flag, method, language\0, translated key\0, text
          const std::size_t language = keyEnd + 3;
          const std::size_t translated = body.find('\0', language);
          const std::size_t textAt = translated == std::string::npos ? translated : body.find('\0', translated + 1);
          ok = keyEnd + 2 < body.size() && textAt != std::string::npos;
          if (ok && body[keyEnd + 1] == 1) {
            ok = inflateAll(data + textAt + 1, length - textAt - 1, value);
          } else if (ok) {
            value = body.substr(textAt + 1);
          }
        }
        if (!ok)
          return makeError(ErrorKind::FormatIncorrect,
                           "Cannot read " + quoted(path) + ": the text chunk \"" + key + "\" is damaged.", path);
        result.emplace_back(key, std::move(value));
      }
    }
    if (!std::memcmp(type, "IEND", 4)) break;
    at += 12 + length;
  }
  return result;
}

}  // namespace lanterna::assets
