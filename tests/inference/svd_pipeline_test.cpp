// Stable Video Diffusion image-to-video through Engine on a tiny SVD folder assembled from the shared weights:
// a clip of the asked length and size with previews of every frame, the reference's preprocessing pieces, the
// memory refusal with a smaller setting, cancel and the image the model needs.
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include "svd_pipeline.h"
#include "video_open.h"
#include "video_test_models.h"

namespace lanterna::inference {
namespace {

using lanterna::testing::TinyModelFolder;

class RecordingObserver : public StepObserver {
 public:
  explicit RecordingObserver(CancelToken* cancelAt = nullptr) : cancel_(cancelAt) {}
  void onStep(const StepInfo& step) override {
    steps.push_back(step);
    if (cancel_) cancel_->cancel();
  }
  std::vector<StepInfo> steps;

 private:
  CancelToken* cancel_;
};

GenerationRequest svdRequest() {
  GenerationRequest r;
  r.steps = 3;
  r.seed = 7;
  r.width = r.height = 32;
  r.frames = 6;
  r.fps = 7;
  r.initImage = lanterna::testing::gradientImage(32, 32);
  return r;
}

TEST(SvdPreprocessing, AntialiasedResizeKeepsConstantsAndIsIdentityAtSameSize) {
  at::Tensor flat = at::full({1, 3, 64, 48}, 0.25f);
  at::Tensor small = resizeWithAntialias(flat, 16, 12);
  EXPECT_EQ(small.sizes(), (std::vector<int64_t>{1, 3, 16, 12}));
  EXPECT_TRUE(at::allclose(small, at::full_like(small, 0.25f), 1e-5, 1e-6));
  at::Tensor image = at::rand({1, 3, 20, 20});
  EXPECT_TRUE(at::allclose(resizeWithAntialias(image, 20, 20), image, 1e-4, 1e-5));
  // Downscaling blurs first: a one-pixel checkerboard averages out instead of aliasing.
  at::Tensor checker = (at::arange(64).view({1, 64}) + at::arange(64).view({64, 1})).remainder(2).to(at::kFloat);
  at::Tensor down = resizeWithAntialias(checker.view({1, 1, 64, 64}), 8, 8);
  EXPECT_LT((down - 0.5).abs().max().item<float>(), 0.1f);
}

TEST(SvdPreprocessing, MotionBucketSpansTheReferenceRange) {
  EXPECT_DOUBLE_EQ(motionBucketId(0.0), 1.0);
  EXPECT_DOUBLE_EQ(motionBucketId(1.0), 255.0);
  EXPECT_NEAR(motionBucketId(0.5), 127.0, 1.0);  // the reference default
}

class SvdEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    LANTERNA_REQUIRE_SHARED("conformance/svd_unet.weights.safetensors");
    folder_.emplace(TinyModelFolder::stableVideoDiffusion("svd_engine"));
  }
  std::optional<TinyModelFolder> folder_;
};

TEST_F(SvdEngine, AnimatesAnImageIntoTheAskedClipWithPreviewsOfEveryFrame) {
  auto engine = Engine::open(folder_->path(), lanterna::testing::cpuOptions());
  ASSERT_TRUE(engine) << engine.error().message;
  const EngineInfo& info = engine->info();
  EXPECT_EQ(info.architecture, "svd");
  EXPECT_TRUE(info.supportsVideo && info.supportsImageToVideo && info.requiresImage);
  EXPECT_EQ(info.defaultFrames, 6);  // the UNet's num_frames
  EXPECT_DOUBLE_EQ(info.defaultFps, 7.0);

  RecordingObserver observer;
  CancelToken cancel;
  auto clip = engine->generate(svdRequest(), &observer, cancel);
  ASSERT_TRUE(clip) << clip.error().message;
  ASSERT_EQ(clip->frames.size(), 6u);
  EXPECT_EQ(clip->frames[0].width, 32);
  EXPECT_EQ(clip->frames[0].height, 32);
  EXPECT_NE(clip->frames[0].rgb, clip->frames[5].rgb);
  ASSERT_EQ(observer.steps.size(), 3u);
  EXPECT_EQ(observer.steps[0].preview.size(), 6u);
  EXPECT_EQ(observer.steps.back().totalSteps, 3);

  // Same seed, same clip; frames == 1 means the model's default length.
  GenerationRequest again = svdRequest();
  again.frames = 1;
  auto repeat = engine->generate(again, nullptr, cancel);
  ASSERT_TRUE(repeat) << repeat.error().message;
  ASSERT_EQ(repeat->frames.size(), 6u);
  EXPECT_EQ(repeat->frames[3].rgb, clip->frames[3].rgb);
}

TEST_F(SvdEngine, RefusesARequestWithoutAnImageAndStopsOnCancel) {
  auto engine = Engine::open(folder_->path(), lanterna::testing::cpuOptions());
  ASSERT_TRUE(engine) << engine.error().message;
  GenerationRequest noImage = svdRequest();
  noImage.initImage.reset();
  CancelToken cancel;
  auto refused = engine->generate(noImage, nullptr, cancel);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::InvalidArgument);
  EXPECT_NE(refused.error().message.find("image"), std::string::npos) << refused.error().message;

  RecordingObserver cancelling(&cancel);
  auto cancelled = engine->generate(svdRequest(), &cancelling, cancel);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().kind, ErrorKind::Cancelled);
  EXPECT_EQ(cancelling.steps.size(), 1u);
}

TEST_F(SvdEngine, ARunThatCannotFitIsRefusedWithASmallerSettingThatWould) {
  EngineInfo info;
  auto svd = openSvdPipeline(folder_->path(), lanterna::testing::cpuOptions(), info);
  ASSERT_TRUE(svd) << svd.error().message;
  GenerationRequest request = svdRequest();
  request.frames = 14;
  request.width = 1024;
  request.height = 576;
  const SvdUNetConfig& config = svd->components().unet.config();
  const int64_t weights = svd->components().weightBytes;
  EXPECT_GT(weights, 0);
  SvdRunShape fewer = svd->runShape(request);
  fewer.frames = 5;
  fewer.decodeChunkFrames = 5;
  const int64_t budget = estimateSvdPeakMemoryBytes(config, weights, fewer);
  EXPECT_FALSE(svd->refuseIfTooLarge(request, estimateSvdPeakMemoryBytes(config, weights, svd->runShape(request))));
  auto refusal = svd->refuseIfTooLarge(request, budget);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->kind, ErrorKind::OutOfMemory);
  EXPECT_NE(refusal->message.find("needs about"), std::string::npos) << refusal->message;
  EXPECT_NE(refusal->message.find("It would fit with 5 frames at 1024x576"), std::string::npos) << refusal->message;
  EXPECT_NE(refusal->message.find("14 frames at "), std::string::npos) << refusal->message;

  // Through the engine: a limit below the weights themselves fits nothing.
  EngineOptions options = lanterna::testing::cpuOptions();
  options.memoryLimitBytes = 1024;
  auto engine = Engine::open(folder_->path(), options);
  ASSERT_TRUE(engine);
  CancelToken cancel;
  auto refused = engine->generate(svdRequest(), nullptr, cancel);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::OutOfMemory);
  EXPECT_NE(refused.error().message.find("No smaller setting fits"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace lanterna::inference
