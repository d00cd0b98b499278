// Restoration on a synthetic "photo": thin scratches, dust specks and grain go away (measured by PSNR against the
// clean picture), a clean picture is left alone, a faded one gains contrast and a cast shrinks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "lanterna/assets/photo_restore.h"

using namespace lanterna::assets;

namespace {

constexpr int kSize = 256;

void put(Frame& frame, int x, int y, double r, double g, double b) {
  if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) return;
  auto* p = frame.row<std::uint8_t>(y) + 4 * x;
  p[0] = std::uint8_t(std::clamp(std::lround(r), 0l, 255l));
  p[1] = std::uint8_t(std::clamp(std::lround(g), 0l, 255l));
  p[2] = std::uint8_t(std::clamp(std::lround(b), 0l, 255l));
  p[3] = 255;
}

// Smooth shading and a few large soft-edged shapes, roughly neutral overall and using the full tonal range.
Frame cleanPhoto() {
  Frame frame = Frame::allocate(kSize, kSize, PixelFormat::Rgba8);
  const auto soft = [](double distance, double radius) { return std::clamp((radius - distance) / 3.0, 0.0, 1.0); };
  for (int y = 0; y < kSize; ++y)
    for (int x = 0; x < kSize; ++x) {
      double v = 12.0 + 230.0 * y / (kSize - 1);
      double r = v, g = v, b = v;
      const double face = soft(std::hypot(x - 90.0, y - 100.0), 50.0);  // a warm disc
      r += face * (200 - r); g += face * (150 - g); b += face * (120 - b);
      const double coat = soft(std::hypot(x - 180.0, y - 170.0), 55.0);  // a cool disc balances it
      r += coat * (70 - r); g += coat * (90 - g); b += coat * (140 - b);
      put(frame, x, y, r, g, b);
    }
  return frame;
}

Frame damaged(const Frame& clean) {
  Frame out = clean;
  std::mt19937 random(7);
  std::normal_distribution<double> grain(0.0, 10.0);
  for (int y = 0; y < kSize; ++y)
    for (int x = 0; x < kSize; ++x) {
      const auto* p = clean.row<std::uint8_t>(y) + 4 * x;
      const double n = grain(random);  // film grain is mostly luminance
      put(out, x, y, p[0] + n, p[1] + n, p[2] + n);
    }
  // Three thin scratches, two light and one dark, slightly slanted as film scratches are.
  for (int y = 0; y < kSize; ++y) {
    put(out, 40 + y / 16, y, 250, 250, 245);
    put(out, 150 - y / 20, y, 245, 245, 240);
    if (y > 30 && y < 220) {
      put(out, 210 + y / 25, y, 15, 15, 15);
      put(out, 211 + y / 25, y, 15, 15, 15);
    }
  }
  // Dust: forty specks of radius 1-2, light and dark.
  std::uniform_int_distribution<int> where(4, kSize - 5);
  for (int i = 0; i < 40; ++i) {
    const int cx = where(random), cy = where(random), radius = 1 + i % 2;
    const double v = i % 3 == 0 ? 10 : 245;
    for (int dy = -radius; dy <= radius; ++dy)
      for (int dx = -radius; dx <= radius; ++dx)
        if (dx * dx + dy * dy <= radius * radius) put(out, cx + dx, cy + dy, v, v, v);
  }
  return out;
}

double psnr(const Frame& a, const Frame& b) {
  double sum = 0.0;
  for (int y = 0; y < a.height; ++y)
    for (int x = 0; x < a.width; ++x)
      for (int c = 0; c < 3; ++c) {
        const double d = double(a.row<std::uint8_t>(y)[4 * x + c]) - b.row<std::uint8_t>(y)[4 * x + c];
        sum += d * d;
      }
  const double mse = sum / (3.0 * a.width * a.height);
  return mse == 0.0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

double meanOf(const Frame& frame, int channel) {
  double sum = 0.0;
  for (int y = 0; y < frame.height; ++y)
    for (int x = 0; x < frame.width; ++x) sum += frame.row<std::uint8_t>(y)[4 * x + channel];
  return sum / (double(frame.width) * frame.height);
}

}  // namespace

TEST(PhotoRestore, ScratchesDustAndGrainAreRemoved) {
  const Frame clean = cleanPhoto();
  const Frame damage = damaged(clean);
  const Frame restored = restorePhoto(damage);
  ASSERT_EQ(restored.width, kSize);
  ASSERT_EQ(restored.height, kSize);
  ASSERT_EQ(restored.format, PixelFormat::Rgba8);
  const double before = psnr(damage, clean), after = psnr(restored, clean);
  std::printf("PSNR damaged %.2f dB, restored %.2f dB\n", before, after);
  EXPECT_GE(after - before, 3.0) << "PSNR before " << before << " dB, after " << after << " dB";
  // A scratch pixel itself is filled from its neighbourhood, not kept.
  const auto* scratch = restored.row<std::uint8_t>(128) + 4 * (40 + 128 / 16);
  const auto* truth = clean.row<std::uint8_t>(128) + 4 * (40 + 128 / 16);
  EXPECT_LT(std::abs(int(scratch[1]) - int(truth[1])), 30);
}

TEST(PhotoRestore, CleanPhotoIsNearlyUnchanged) {
  const Frame clean = cleanPhoto();
  const Frame restored = restorePhoto(clean);
  std::printf("PSNR clean vs restored clean %.2f dB\n", psnr(restored, clean));
  EXPECT_GT(psnr(restored, clean), 38.0);
}

TEST(PhotoRestore, FadedPrintGainsContrastAndLosesItsCast) {
  Frame faded = cleanPhoto();
  for (int y = 0; y < kSize; ++y)
    for (int x = 0; x < kSize; ++x) {  // squeeze into 90..190 and yellow it
      auto* p = faded.row<std::uint8_t>(y) + 4 * x;
      put(faded, x, y, 100 + p[0] * 0.4, 95 + p[1] * 0.4, 70 + p[2] * 0.4);
    }
  const Frame restored = restorePhoto(faded);
  const auto spread = [](const Frame& frame) {
    int lo = 255, hi = 0;
    for (int y = 0; y < frame.height; ++y)
      for (int x = 0; x < frame.width; ++x) {
        const int g = frame.row<std::uint8_t>(y)[4 * x + 1];
        lo = std::min(lo, g);
        hi = std::max(hi, g);
      }
    return hi - lo;
  };
  EXPECT_GT(spread(restored), spread(faded) + 20);
  const double castBefore = meanOf(faded, 0) - meanOf(faded, 2);  // red minus blue: the yellowing
  const double castAfter = meanOf(restored, 0) - meanOf(restored, 2);
  EXPECT_LT(castAfter, castBefore * 0.6) << castBefore << " -> " << castAfter;
}

TEST(PhotoRestore, AlphaIsKeptAndEmptyStaysEmpty) {
  Frame frame = cleanPhoto();
  frame.row<std::uint8_t>(5)[4 * 5 + 3] = 17;
  EXPECT_EQ(restorePhoto(frame).row<std::uint8_t>(5)[4 * 5 + 3], 17);
  EXPECT_TRUE(restorePhoto(Frame{}).empty());
}
