// Rasterisation of the toy world's shapes: a signed distance per pixel centre, turned into coverage by a one-pixel
// ramp. Cheaper than supersampling and gives the soft edges a generator will learn to reproduce.
#include "toy_world.h"

#include <algorithm>
#include <cmath>

namespace lanterna::toy {
namespace {

// Distance of p to the half-plane left of the directed edge a->b (negative inside).
float edgeDistance(float px, float py, float ax, float ay, float bx, float by) {
  const float ex = bx - ax, ey = by - ay;
  const float length = std::sqrt(ex * ex + ey * ey);
  // Edges run clockwise on screen (y grows downwards), so this normal points out of the polygon.
  return ((px - ax) * ey - (py - ay) * ex) / length;
}

// Exact inside, slightly sharp outside corners: fine for a one-pixel anti-aliasing ramp.
float signedDistance(const ShapeTruth& s, float px, float py) {
  const float dx = px - s.centerX, dy = py - s.centerY;
  switch (s.shape) {
    case Shape::Circle: return std::sqrt(dx * dx + dy * dy) - s.radius;
    case Shape::Square: return std::max(std::abs(dx), std::abs(dy)) - s.radius;
    case Shape::Triangle: {
      // Apex up, base down, inside the same 2r x 2r box as the square.
      const float topX = s.centerX, topY = s.centerY - s.radius;
      const float leftX = s.centerX - s.radius, rightX = s.centerX + s.radius, baseY = s.centerY + s.radius;
      float d = py - baseY;
      d = std::max(d, edgeDistance(px, py, leftX, baseY, topX, topY));
      d = std::max(d, edgeDistance(px, py, topX, topY, rightX, baseY));
      return d;
    }
  }
  return 1e9f;
}

}  // namespace

Rgb Image::at(int x, int y) const {
  const std::size_t i = (static_cast<std::size_t>(y) * width + x) * 3;
  return {rgb[i], rgb[i + 1], rgb[i + 2]};
}

Position positionAt(float x, float y, int imageSize) {
  const float cell = static_cast<float>(imageSize) / 3.0f;
  const int col = std::clamp(static_cast<int>(x / cell), 0, 2);
  const int row = std::clamp(static_cast<int>(y / cell), 0, 2);
  return static_cast<Position>(row * 3 + col);
}

void drawShape(Image& image, const ShapeTruth& shape) {
  const Rgb colour = paletteColour(shape.colour);
  const int margin = static_cast<int>(std::ceil(shape.radius)) + 2;
  const int x0 = std::max(0, static_cast<int>(shape.centerX) - margin);
  const int x1 = std::min(image.width - 1, static_cast<int>(shape.centerX) + margin);
  const int y0 = std::max(0, static_cast<int>(shape.centerY) - margin);
  const int y1 = std::min(image.height - 1, static_cast<int>(shape.centerY) + margin);
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      const float coverage = std::clamp(0.5f - signedDistance(shape, x + 0.5f, y + 0.5f), 0.0f, 1.0f);
      if (coverage <= 0.0f) continue;
      std::uint8_t* px = &image.rgb[(static_cast<std::size_t>(y) * image.width + x) * 3];
      const std::uint8_t target[3] = {colour.r, colour.g, colour.b};
      for (int c = 0; c < 3; ++c)
        px[c] = static_cast<std::uint8_t>(std::lround(px[c] * (1.0f - coverage) + target[c] * coverage));
    }
  }
}

}  // namespace lanterna::toy
