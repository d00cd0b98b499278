// Still images in and out. Usage:
//   Result<Frame> image = loadImage("photo.jpg");                  // EXIF orientation applied, alpha kept
//   Status saved = saveImage(frame, "out.png", {{"parameters", "a cat, 30 steps"}});
//   Result<PngTextChunks> text = readPngText("out.png");          // {{"parameters", "a cat, 30 steps"}}
// Free functions without shared state: safe to call from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "lanterna/assets/frame.h"
#include "lanterna/result.h"

namespace lanterna::assets {

enum class BitDepth { Keep, To8 };

struct ImageLoadOptions {
  // Keep: 16-bit files load as Rgba16 and float TIFFs as RgbaF32; To8 converts them to Rgba8 on load.
  BitDepth bitDepth = BitDepth::Keep;
  // The header is checked against these before any pixel is decoded (a hostile file cannot make us allocate).
  int maxSide = 32768;
  std::int64_t maxPixels = std::int64_t(1) << 28;
};

// PNG, JPEG, WebP and TIFF. Errors: FileNotFound, NoReadAccess, Truncated (empty or cut short), FormatIncorrect
// (not an image, or absurd dimensions), FeatureUnsupported (an image format we do not import).
Result<Frame> loadImage(const std::filesystem::path& path, const ImageLoadOptions& options = {});

using PngTextChunks = std::vector<std::pair<std::string, std::string>>;

// Writes a PNG (8-bit for Rgba8, 16-bit for Rgba16 and RgbaF32) with text chunks: tEXt for Latin-1 values,
// iTXt for UTF-8. Keys are 1-79 printable Latin-1 characters. Writes a temp file next to `path`, then renames it.
Status saveImage(const Frame& frame, const std::filesystem::path& path, const PngTextChunks& text = {});

// Reads tEXt, zTXt and iTXt chunks in file order.
Result<PngTextChunks> readPngText(const std::filesystem::path& path);

}  // namespace lanterna::assets
