// Judges whether an image (or clip) shows what a toy-world caption says: finds the blob of the named colour, tells
// its shape from its fill of the minimum bounding rectangle, its cell on a 3x3 grid, its size, and for clips the
// motion of its track. Used to check that generated images follow the prompt. Usage:
//   auto seen = detectToyShape(RgbImageView{pixels, 128, 128}, ToyTarget{"red", "circle", "top left", "big"});
//   if (seen.ok() && seen->found) ...;   // seen->reason says what was seen instead when not found
// Words are the toy world's caption words. Stateless; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lanterna/result.h"

namespace lanterna::assets {

// Interleaved 8-bit RGB, row-major; borrowed, not copied.
struct RgbImageView {
  const std::uint8_t* rgb = nullptr;
  int width = 0;
  int height = 0;
};

struct ToyTarget {
  std::string colour;    // red, green, blue, yellow, white, black, orange, purple (required)
  std::string shape;     // circle, square, triangle; empty: any
  std::string position;  // top left, top, top right, left, center, right, bottom left, bottom, bottom right; empty: any
  std::string size;      // small, big; empty: any
};

struct ToyBlob {
  std::string shape, position, size;
  float centerX = 0, centerY = 0;  // centroid, pixels
  float areaPx = 0;
};

struct ToyDetection {
  bool found = false;
  std::string reason;  // when not found: what was seen instead
  ToyBlob blob;        // the matching blob, else the largest of the colour (if any)
};

// InvalidArgument for an unknown word or an empty image; otherwise a verdict.
Result<ToyDetection> detectToyShape(const RgbImageView& image, const ToyTarget& target);

struct ToyClipTarget {
  std::string colour;  // required
  std::string shape;   // empty: any
  std::string motion;  // moving left, moving right, moving up, moving down, growing, shrinking
};

struct ToyMotionDetection {
  bool found = false;
  std::string reason;
  std::string motion;          // what the track shows ("static" when it barely moves, "jumping about" when unsteady)
  std::vector<ToyBlob> track;  // the colour's largest blob per frame where there was one
};

Result<ToyMotionDetection> detectToyMotion(const std::vector<RgbImageView>& frames, const ToyClipTarget& target);

}  // namespace lanterna::assets
