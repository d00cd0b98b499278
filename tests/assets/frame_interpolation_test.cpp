#include "lanterna/assets/frame_interpolation.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lanterna::assets {
namespace {

constexpr int kWidth = 256, kHeight = 192, kSide = 40;

// A bright square with a little texture on a dark, slightly textured background (as a generation would have).
Frame squareAt(int left, int top) {
  Frame frame = Frame::allocate(kWidth, kHeight, PixelFormat::Rgba8);
  for (int y = 0; y < kHeight; ++y)
    for (int x = 0; x < kWidth; ++x) {
      const bool inside = x >= left && x < left + kSide && y >= top && y < top + kSide;
      const int texture = ((x * 7 + y * 13) % 11);
      const std::uint8_t v = std::uint8_t(inside ? 220 + ((x - left) * 3 + (y - top) * 5) % 30 : 20 + texture);
      std::uint8_t* p = frame.row<std::uint8_t>(y) + 4 * x;
      p[0] = v, p[1] = v, p[2] = v, p[3] = 255;
    }
  return frame;
}

struct Blob {
  double x = 0, y = 0;
  int bright = 0;  // pixels above the square threshold
  int half = 0;    // pixels at about half brightness: a ghost of a cross-blend
};

Blob measure(const Frame& frame) {
  Blob blob;
  for (int y = 0; y < frame.height; ++y)
    for (int x = 0; x < frame.width; ++x) {
      const int v = frame.row<std::uint8_t>(y)[4 * x];
      if (v > 170) blob.x += x, blob.y += y, ++blob.bright;
      else if (v > 80) ++blob.half;
    }
  if (blob.bright > 0) blob.x /= blob.bright, blob.y /= blob.bright;
  return blob;
}

TEST(FrameInterpolationTest, MovingSquareLandsHalfwayWhereACrossBlendShowsTwoHalves) {
  const Frame a = squareAt(60, 50), b = squareAt(84, 66);  // moves 24 px right, 16 px down
  const Blob middle = measure(interpolateFrames(a, b, 0.5));
  EXPECT_NEAR(middle.x, 72 + (kSide - 1) / 2.0, 1.0);
  EXPECT_NEAR(middle.y, 58 + (kSide - 1) / 2.0, 1.0);
  EXPECT_NEAR(middle.bright, kSide * kSide, kSide * kSide / 8);  // one whole square
  EXPECT_LT(middle.half, kSide * 4);

  const Blob blended = measure(crossBlendFrames(a, b, 0.5));
  EXPECT_GT(blended.half, kSide * kSide);  // two translucent squares: what interpolation avoids
}

TEST(FrameInterpolationTest, ThirdOfTheWayFollowsT) {
  const Frame a = squareAt(60, 70), b = squareAt(96, 70);
  const Blob third = measure(interpolateFrames(a, b, 1.0 / 3.0));
  EXPECT_NEAR(third.x, 72 + (kSide - 1) / 2.0, 1.0);
  EXPECT_NEAR(third.y, 70 + (kSide - 1) / 2.0, 1.0);
}

TEST(FrameInterpolationTest, InterpolatorReusesTheFlowOfTheSamePair) {
  const Frame a = squareAt(60, 70), b = squareAt(96, 70), c = squareAt(120, 70);
  FrameInterpolator interpolator;
  const Frame third = interpolator.interpolate(a, b, 1.0 / 3.0);
  EXPECT_FALSE(interpolator.reusedFlow());
  const Frame twoThirds = interpolator.interpolate(a, b, 2.0 / 3.0);
  EXPECT_TRUE(interpolator.reusedFlow());
  EXPECT_NEAR(measure(twoThirds).x, 84 + (kSide - 1) / 2.0, 1.0);
  EXPECT_EQ(interpolator.interpolate(a, b, 1.0 / 3.0).data, third.data);  // same answer as computed afresh
  interpolator.interpolate(b, c, 0.5);
  EXPECT_FALSE(interpolator.reusedFlow());
}

TEST(FrameInterpolationTest, EndpointsAreTheInputs) {
  const Frame a = squareAt(20, 30), b = squareAt(50, 30);
  EXPECT_EQ(interpolateFrames(a, b, 0.0).data, a.data);
  EXPECT_EQ(interpolateFrames(a, b, 1.0).data, b.data);
}

TEST(FrameInterpolationTest, MismatchedSizesFallBackToABlend) {
  const Frame a = squareAt(20, 30);
  Frame small = Frame::allocate(64, 48, PixelFormat::Rgba8);
  const Frame out = interpolateFrames(a, small, 0.5);
  ASSERT_EQ(out.width, kWidth);
  ASSERT_EQ(out.height, kHeight);
  EXPECT_EQ(measure(out).bright, 0);  // half of the square over black: no full-brightness pixel left
}

}  // namespace
}  // namespace lanterna::assets
