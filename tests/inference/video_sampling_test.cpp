// Video pipeline pieces: context windows cover every frame and cross-fade, SVD time ids and guidance ramp, and the
// SVD memory estimate scales with the run.
#include <gtest/gtest.h>

#include "video_sampling.h"

namespace lanterna::inference {
namespace {

TEST(ContextWindows, CoverEveryFrameWithOverlap) {
  EXPECT_EQ(contextWindows(8).size(), 1u);
  EXPECT_EQ(contextWindows(8).front().length, 8);
  const auto windows = contextWindows(40, 16, 4);  // starts 0, 12, 24 (flush with the end)
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows[1].start, 12);
  EXPECT_EQ(windows.back().start + windows.back().length, 40);
  at::Tensor total = at::zeros({40});
  for (size_t i = 0; i < windows.size(); ++i) {
    total.slice(0, windows[i].start, windows[i].start + windows[i].length) += windowBlendWeights(windows[i], 40, 4);
    if (i > 0) EXPECT_GE(windows[i - 1].start + windows[i - 1].length - windows[i].start, 4);
  }
  EXPECT_GT(total.min().item<float>(), 0.0f);  // every frame covered, normalisation never divides by zero
  // The first window is full weight at the clip start and fades out at its end.
  at::Tensor first = windowBlendWeights(windows[0], 40, 4);
  EXPECT_EQ(first[0].item<float>(), 1.0f);
  EXPECT_LT(first[15].item<float>(), first[11].item<float>());
}

TEST(SvdConditioning, TimeIdsUseFpsMinusOneAndRampIsLinear) {
  at::Tensor ids = svdAddedTimeIds(7, 127, 0.02, 2);
  ASSERT_EQ(ids.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_FLOAT_EQ(ids[1][0].item<float>(), 6.0f);
  EXPECT_FLOAT_EQ(ids[1][1].item<float>(), 127.0f);
  EXPECT_FLOAT_EQ(ids[0][2].item<float>(), 0.02f);
  at::Tensor ramp = guidanceRamp(1.0, 3.0, 5);
  ASSERT_EQ(ramp.sizes(), (std::vector<int64_t>{1, 5, 1, 1, 1}));
  EXPECT_FLOAT_EQ(ramp.flatten()[0].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(ramp.flatten()[2].item<float>(), 2.0f);
  EXPECT_FLOAT_EQ(ramp.flatten()[4].item<float>(), 3.0f);
}

TEST(SvdMemory, EstimateGrowsWithFramesAndResolution) {
  const SvdUNetConfig config;  // SVD-XT defaults
  const int64_t weights = int64_t{3} << 30;
  SvdRunShape small;
  small.width = 512, small.height = 288, small.frames = 14;
  SvdRunShape large = small;
  large.width = 1024, large.height = 576;
  SvdRunShape longer = small;
  longer.frames = 25;
  const int64_t s = estimateSvdPeakMemoryBytes(config, weights, small);
  EXPECT_GT(s, weights);
  EXPECT_GT(estimateSvdPeakMemoryBytes(config, weights, large), s);
  EXPECT_GT(estimateSvdPeakMemoryBytes(config, weights, longer), s);
  // A 1024x576, 14-frame fp16 run is known to fit in ~16-24 GB with chunked decoding; stay in that order.
  SvdRunShape typical;
  EXPECT_LT(estimateSvdPeakMemoryBytes(config, weights, typical), int64_t{48} << 30);
}

}  // namespace
}  // namespace lanterna::inference
