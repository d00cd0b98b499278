#include "lanterna/assets/compositor.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "media_fixtures.h"

namespace lanterna::assets {
namespace {

Frame solid(int width, int height, std::uint8_t r, std::uint8_t g, std::uint8_t b, std::uint8_t a = 255) {
  Frame frame = Frame::allocate(width, height, PixelFormat::Rgba8);
  for (std::size_t p = 0; p < frame.data.size(); p += 4) {
    frame.data[p] = r; frame.data[p + 1] = g; frame.data[p + 2] = b; frame.data[p + 3] = a;
  }
  return frame;
}

const std::uint8_t* at(const Frame& f, int x, int y) { return f.row<std::uint8_t>(y) + 4 * x; }

int maxDifference(const Frame& a, const Frame& b) {
  int worst = 0;
  for (std::size_t i = 0; i < a.data.size(); ++i) worst = std::max(worst, std::abs(int(a.data[i]) - int(b.data[i])));
  return worst;
}

class CompositorTest : public ::testing::Test {
 protected:
  static Compositor& vulkan() {
    static Compositor compositor = Compositor::create(CompositorBackend::Vulkan);
    return compositor;
  }
  // Runs the plan on both paths; they must agree within 2 levels.
  Frame composeBoth(const CompositionFrame& plan) {
    auto cpu = composeCpu(plan);
    EXPECT_TRUE(cpu) << cpu.error().message;
    if (vulkan().usesVulkan()) {
      auto gpu = vulkan().compose(plan);
      EXPECT_TRUE(gpu) << gpu.error().message;
      if (gpu && cpu) EXPECT_LE(maxDifference(*cpu, *gpu), 2) << "CPU and " << vulkan().deviceName() << " differ";
    }
    return cpu ? *cpu : Frame{};
  }
};

TEST_F(CompositorTest, VulkanDeviceIsFoundOrTheReasonIsGiven) {
  if (!vulkan().usesVulkan()) {
    EXPECT_FALSE(vulkan().fallbackReason().empty());
    GTEST_SKIP() << "no Vulkan device: " << vulkan().fallbackReason();
  }
  EXPECT_TRUE(vulkan().fallbackReason().empty());
  EXPECT_NE(vulkan().deviceName(), "CPU");
  EXPECT_FALSE(Compositor::create(CompositorBackend::Cpu).usesVulkan());
}

TEST_F(CompositorTest, ContainLetterboxesAndCoverCrops) {
  const Frame wide = solid(40, 10, 255, 0, 0);  // 4:1 into 32x32
  CompositionFrame plan{.width = 32, .height = 32, .layers = {{&wide, FitMode::Contain}}};
  Frame contained = composeBoth(plan);
  EXPECT_EQ(at(contained, 16, 2)[0], 0);     // black bar above
  EXPECT_EQ(at(contained, 16, 16)[0], 255);  // picture in the middle 8 rows
  EXPECT_EQ(at(contained, 16, 29)[0], 0);
  plan.layers[0].fit = FitMode::Cover;
  Frame covered = composeBoth(plan);
  EXPECT_EQ(at(covered, 16, 1)[0], 255);
  plan.layers[0].fit = FitMode::Stretch;
  Frame stretched = composeBoth(plan);
  EXPECT_EQ(at(stretched, 0, 0)[0], 255);
  EXPECT_EQ(at(stretched, 31, 31)[0], 255);
}

TEST_F(CompositorTest, CrossfadeMixesWithoutDarkening) {
  const Frame red = solid(16, 16, 255, 0, 0), blue = solid(16, 16, 0, 0, 255);
  for (float t : {0.0f, 0.25f, 0.5f, 1.0f}) {
    Frame mixed = composeBoth(crossfade(red, blue, t, 16, 16));
    EXPECT_NEAR(at(mixed, 8, 8)[0], 255 * (1 - t), 1) << t;
    EXPECT_NEAR(at(mixed, 8, 8)[2], 255 * t, 1) << t;
    EXPECT_EQ(at(mixed, 8, 8)[3], 255) << t;
  }
}

TEST_F(CompositorTest, AlphaAndOpacityCompositeOver) {
  const Frame white = solid(8, 8, 255, 255, 255), halfGreen = solid(8, 8, 0, 255, 0, 128);
  CompositionFrame plan{.width = 8, .height = 8, .layers = {{&white}, {&halfGreen, FitMode::Stretch, 0.5f}}};
  Frame out = composeBoth(plan);
  // Green at alpha 128/255 x 0.5 over white.
  const float a = 128.0f / 255.0f * 0.5f;
  EXPECT_NEAR(at(out, 4, 4)[0], 255 * (1 - a), 1);
  EXPECT_EQ(at(out, 4, 4)[1], 255);
  // Transparent background keeps alpha.
  plan.background = {0, 0, 0, 0};
  plan.layers = {{&halfGreen}};
  Frame alone = composeBoth(plan);
  EXPECT_EQ(at(alone, 4, 4)[1], 255);
  EXPECT_EQ(at(alone, 4, 4)[3], 128);
}

TEST_F(CompositorTest, ScaledGradientsMatchAcrossPaths) {
  const Frame a = testing::gradientFrame(64, 48), b = testing::gradientFrame(31, 57);
  for (FitMode fit : {FitMode::Contain, FitMode::Cover, FitMode::Stretch}) {
    CompositionFrame plan{.width = 100, .height = 70, .layers = {{&a, fit, 0.8f}, {&b, fit, 0.6f}}};
    composeBoth(plan);
  }
}

TEST_F(CompositorTest, RefusesBadPlans) {
  const Frame red = solid(4, 4, 255, 0, 0);
  EXPECT_EQ(composeCpu({.width = 0, .height = 4}).error().kind, ErrorKind::InvalidArgument);
  EXPECT_EQ(composeCpu({.width = 4, .height = 4, .layers = {{nullptr}}}).error().kind, ErrorKind::InvalidArgument);
  EXPECT_EQ(composeCpu({.width = 4, .height = 4, .layers = {{&red, FitMode::Contain, 1.5f}}}).error().kind,
            ErrorKind::InvalidArgument);
  if (vulkan().usesVulkan())
    EXPECT_EQ(vulkan().compose({.width = 4, .height = 4, .layers = {{nullptr}}}).error().kind,
              ErrorKind::InvalidArgument);
}

}  // namespace
}  // namespace lanterna::assets
