// AnimateDiff through Engine: an SD 1.x folder with a motion_adapter/ (diffusers AnimateDiffPipeline layout) or an
// SD model plus EngineOptions::motionModule makes clips; an image model asked for a clip says what to add;
// image-to-video pins the first frame to the image (clean, at timestep 0, for an adapter trained so, whose
// text-to-video then starts from the text-to-image picture); a 40-frame clip in 16-frame windows has no seams.
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <optional>

#include "animatediff_pipeline.h"
#include "sd_open.h"
#include "video_loader.h"
#include "video_test_models.h"

namespace lanterna::inference {
namespace {

using lanterna::testing::MotionAdapter;
using lanterna::testing::TinyModelFolder;

GenerationRequest clipRequest(int frames) {
  GenerationRequest r;
  r.prompt = "a cat walking";
  r.sampler = "euler";
  r.steps = 3;
  r.cfgScale = 4.0;
  r.seed = 3;
  r.width = r.height = 32;
  r.frames = frames;
  return r;
}

Image decodedRoundTrip(const std::filesystem::path& model, const Image& image) {
  EngineInfo info;
  auto sd = openSdPipeline(model, lanterna::testing::cpuOptions(), info);
  EXPECT_TRUE(sd);
  c10::InferenceMode guard;
  const auto& vae = sd->components().vae;
  at::Tensor latent = vae.encode(imageToTensor(image)).mean * sd->vaeScale();
  return tensorToImages(sd->decode(latent) * 2 - 1).front();
}

class AnimateDiffEngine : public ::testing::Test {
 protected:
  void SetUp() override { LANTERNA_REQUIRE_SHARED("conformance/motion_adapter.weights.safetensors"); }

  // A tiny SD folder with a motion adapter, opened as the pipeline's parts (sd_, adapter_) rather than an Engine.
  void openParts(const std::string& name) {
    folder_.emplace(TinyModelFolder::stableDiffusion(name, MotionAdapter::Folder));
    EngineInfo info;
    auto sd = openSdPipeline(folder_->path(), lanterna::testing::cpuOptions(), info);
    ASSERT_TRUE(sd) << sd.error().message;
    sd_.emplace(std::move(*sd));
    auto adapter = loadMotionAdapter(folder_->path() / "motion_adapter");
    ASSERT_TRUE(adapter) << adapter.error().message;
    adapter_.emplace(std::move(*adapter));
  }

  // A fresh adapter's proj_out is zero, which keeps frames independent; mixing them is what the clean-first-frame
  // tests look at. Returns the adapter's config as one trained on a clean first frame declares it.
  MotionAdapterConfig mixFramesAndDeclareCleanFirstFrame() {
    at::manual_seed(4);
    for (auto& [name, tensor] : adapter_->weights.all())
      if (name.find("proj_out.weight") != std::string::npos) tensor = at::randn_like(tensor) * 0.2;
    MotionAdapterConfig clean = adapter_->config;
    clean.cleanFirstFrame = true;
    return clean;
  }

  std::optional<TinyModelFolder> folder_;
  std::optional<SdPipeline> sd_;
  std::optional<LoadedMotionAdapter> adapter_;
};

TEST_F(AnimateDiffEngine, AFolderWithAMotionAdapterMakesClips) {
  const auto folder = TinyModelFolder::stableDiffusion("ad_folder", MotionAdapter::Folder);
  auto engine = Engine::open(folder.path(), lanterna::testing::cpuOptions());
  ASSERT_TRUE(engine) << engine.error().message;
  EXPECT_TRUE(engine->info().supportsVideo);
  EXPECT_TRUE(engine->info().supportsImageToVideo);
  EXPECT_FALSE(engine->info().requiresImage);
  EXPECT_EQ(engine->info().defaultFrames, 16);
  CancelToken cancel;
  auto clip = engine->generate(clipRequest(5), nullptr, cancel);
  ASSERT_TRUE(clip) << clip.error().message;
  EXPECT_EQ(clip->frames.size(), 5u);
  auto image = engine->generate(clipRequest(1), nullptr, cancel);  // still an image model too
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(image->frames.size(), 1u);
}

TEST_F(AnimateDiffEngine, AnImageModelAskedForAClipSaysWhatToAdd) {
  const auto folder = TinyModelFolder::stableDiffusion("ad_plain");
  auto engine = Engine::open(folder.path(), lanterna::testing::cpuOptions());
  ASSERT_TRUE(engine) << engine.error().message;
  EXPECT_FALSE(engine->info().supportsVideo);
  CancelToken cancel;
  auto refused = engine->generate(clipRequest(8), nullptr, cancel);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::InvalidArgument);
  const std::string& message = refused.error().message;
  EXPECT_NE(message.find(folder.path().filename().string()), std::string::npos) << message;
  EXPECT_NE(message.find("motion module"), std::string::npos) << message;

  // The same model with a motion module file (the original single-file layout is inferred from its tensors).
  EngineOptions options = lanterna::testing::cpuOptions();
  options.motionModule = lanterna::testing::conformanceDir() / "motion_adapter.weights.safetensors";
  auto animated = Engine::open(folder.path(), options);
  ASSERT_TRUE(animated) << animated.error().message;
  EXPECT_TRUE(animated->info().supportsVideo);
  auto clip = animated->generate(clipRequest(4), nullptr, cancel);
  ASSERT_TRUE(clip) << clip.error().message;
  EXPECT_EQ(clip->frames.size(), 4u);

  options.motionModule = folder.path() / "no_such_module.safetensors";
  auto missing = Engine::open(folder.path(), options);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no_such_module"), std::string::npos) << missing.error().message;
}

TEST_F(AnimateDiffEngine, ImageToVideoPinsTheFirstFrameToTheImage) {
  const auto folder = TinyModelFolder::stableDiffusion("ad_pin", MotionAdapter::Folder);
  auto engine = Engine::open(folder.path(), lanterna::testing::cpuOptions());
  ASSERT_TRUE(engine) << engine.error().message;
  GenerationRequest request = clipRequest(6);
  request.initImage = lanterna::testing::gradientImage(32, 32);
  CancelToken cancel;
  auto clip = engine->generate(request, nullptr, cancel);
  ASSERT_TRUE(clip) << clip.error().message;
  ASSERT_EQ(clip->frames.size(), 6u);
  const Image roundTrip = decodedRoundTrip(folder.path(), *request.initImage);
  EXPECT_GE(lanterna::testing::psnr(clip->frames[0], roundTrip), 40.0);
  // The other frames are generated, not copies of the image.
  EXPECT_LT(lanterna::testing::psnr(clip->frames[3], roundTrip), 30.0);
}

// Mean absolute difference between two frames, 0..255.
double frameDistance(const Image& a, const Image& b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.rgb.size(); ++i) sum += std::abs(double(a.rgb[i]) - double(b.rgb[i]));
  return sum / a.rgb.size();
}

TEST_F(AnimateDiffEngine, FortyFramesInSixteenFrameWindowsHaveNoSeams) {
  ASSERT_NO_FATAL_FAILURE(openParts("ad_long"));
  c10::InferenceMode guard;
  const UNetMotion unet = UNetMotion::load(sd_->components().unet, adapter_->config, adapter_->weights);
  AnimateDiffPipeline video(*sd_, unet, {16, 4, 8});
  CancelToken cancel;
  GenerationRequest request = clipRequest(40);
  request.steps = 2;
  auto clip = video.generate(request, nullptr, cancel);
  ASSERT_TRUE(clip) << clip.error().message;
  ASSERT_EQ(clip->frames.size(), 40u);
  // Windows start at 0, 12 and 24 (the last flush with the end): blending changes at the edges of the overlaps.
  const std::vector<int> borders{11, 12, 15, 23, 24, 27};  // pair (i, i + 1) crosses a window edge
  double insideMax = 0.0, borderMax = 0.0;
  for (int i = 0; i + 1 < 40; ++i) {
    const double d = frameDistance(clip->frames[i], clip->frames[i + 1]);
    if (std::find(borders.begin(), borders.end(), i) != borders.end()) borderMax = std::max(borderMax, d);
    else insideMax = std::max(insideMax, d);
  }
  EXPECT_GT(insideMax, 0.0);
  EXPECT_LE(borderMax, insideMax) << "a jump at a window border";
}

// An adapter that declares lanterna_clean_first_frame is given the image clean at every step: the clip still starts
// on the image, and the other frames are not those of the pinned-at-each-step's-noise path.
TEST_F(AnimateDiffEngine, AnAdapterTrainedOnACleanFirstFrameIsGivenItClean) {
  ASSERT_NO_FATAL_FAILURE(openParts("ad_clean_first"));
  c10::InferenceMode guard;
  EXPECT_FALSE(adapter_->config.cleanFirstFrame);  // diffusers' adapters never declare it
  const MotionAdapterConfig clean = mixFramesAndDeclareCleanFirstFrame();
  const UNetMotion pinnedUnet = UNetMotion::load(sd_->components().unet, adapter_->config, adapter_->weights);
  const UNetMotion cleanUnet = UNetMotion::load(sd_->components().unet, clean, adapter_->weights);
  GenerationRequest request = clipRequest(6);
  request.initImage = lanterna::testing::gradientImage(32, 32);
  CancelToken cancel;
  auto pinnedClip = AnimateDiffPipeline(*sd_, pinnedUnet).generate(request, nullptr, cancel);
  auto cleanClip = AnimateDiffPipeline(*sd_, cleanUnet).generate(request, nullptr, cancel);
  ASSERT_TRUE(pinnedClip) << pinnedClip.error().message;
  ASSERT_TRUE(cleanClip) << cleanClip.error().message;
  ASSERT_EQ(cleanClip->frames.size(), 6u);
  const Image roundTrip = decodedRoundTrip(folder_->path(), *request.initImage);
  EXPECT_GE(lanterna::testing::psnr(cleanClip->frames[0], roundTrip), 40.0);
  EXPECT_GT(frameDistance(cleanClip->frames[3], pinnedClip->frames[3]), 0.5);
}

struct StepLog final : StepObserver {
  void onStep(const StepInfo& step) override { steps.push_back(step); }
  std::vector<StepInfo> steps;
};

TEST_F(AnimateDiffEngine, TextToVideoWithACleanFirstFrameAdapterAnimatesTheTextToImagePicture) {
  ASSERT_NO_FATAL_FAILURE(openParts("ad_keyframe"));
  c10::InferenceMode guard;
  const MotionAdapterConfig clean = mixFramesAndDeclareCleanFirstFrame();
  const UNetMotion pinnedUnet = UNetMotion::load(sd_->components().unet, adapter_->config, adapter_->weights);
  const UNetMotion cleanUnet = UNetMotion::load(sd_->components().unet, clean, adapter_->weights);
  const GenerationRequest request = clipRequest(6);
  GenerationRequest still = request;
  still.frames = 1;
  CancelToken cancel;
  auto picture = sd_->generate(still, nullptr, cancel);
  ASSERT_TRUE(picture) << picture.error().message;
  StepLog log;
  auto clip = AnimateDiffPipeline(*sd_, cleanUnet).generate(request, &log, cancel);
  ASSERT_TRUE(clip) << clip.error().message;
  ASSERT_EQ(clip->frames.size(), 6u);
  const Image roundTrip = decodedRoundTrip(folder_->path(), picture->frames.front());
  EXPECT_GE(lanterna::testing::psnr(clip->frames[0], roundTrip), 40.0);
  // Both passes are one run to the observer: the keyframe's steps, then the clip's, counted up to one total.
  ASSERT_EQ(log.steps.size(), 2u * request.steps);
  for (std::size_t i = 0; i < log.steps.size(); ++i) {
    EXPECT_EQ(log.steps[i].step, static_cast<int>(i) + 1);
    EXPECT_EQ(log.steps[i].totalSteps, 2 * request.steps);
  }
  // An adapter that does not declare the clean first frame samples every frame from noise, as AnimateDiff does.
  auto plain = AnimateDiffPipeline(*sd_, pinnedUnet).generate(request, nullptr, cancel);
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_LT(lanterna::testing::psnr(plain->frames[0], roundTrip), 30.0);
}

// The keyframe leaves the adapter's motion phrases out of its prompt: here "walking", so the clip starts on the
// text-to-image picture of "a cat", not of "a cat walking".
TEST_F(AnimateDiffEngine, TextToVideoDrawsItsKeyframeWithoutTheMotionPhrases) {
  ASSERT_NO_FATAL_FAILURE(openParts("ad_keyframe_phrases"));
  c10::InferenceMode guard;
  MotionAdapterConfig clean = mixFramesAndDeclareCleanFirstFrame();
  clean.motionPhrases = {"walking"};
  const UNetMotion cleanUnet = UNetMotion::load(sd_->components().unet, clean, adapter_->weights);
  const GenerationRequest request = clipRequest(4);
  GenerationRequest still = request;
  still.frames = 1;
  still.prompt = "a cat";
  CancelToken cancel;
  auto picture = sd_->generate(still, nullptr, cancel);
  ASSERT_TRUE(picture) << picture.error().message;
  still.prompt = request.prompt;
  auto withPhrase = sd_->generate(still, nullptr, cancel);
  ASSERT_TRUE(withPhrase) << withPhrase.error().message;
  auto clip = AnimateDiffPipeline(*sd_, cleanUnet).generate(request, nullptr, cancel);
  ASSERT_TRUE(clip) << clip.error().message;
  EXPECT_GE(lanterna::testing::psnr(clip->frames[0], decodedRoundTrip(folder_->path(), picture->frames.front())), 40.0);
  EXPECT_LT(lanterna::testing::psnr(clip->frames[0], decodedRoundTrip(folder_->path(), withPhrase->frames.front())),
            40.0);
}

TEST(KeyframePrompt, LeavesOutWholeMotionPhrasesAndTidiesWhatIsLeft) {
  const std::vector<std::string> phrases = {"moving left", "moving right", "growing"};
  EXPECT_EQ(keyframePrompt("a big red circle at the top left moving right on a black background", phrases),
            "a big red circle at the top left on a black background");
  EXPECT_EQ(keyframePrompt("on white, a small blue square moving left", phrases), "on white, a small blue square");
  EXPECT_EQ(keyframePrompt("green square at the left moving left, white background", phrases),
            "green square at the left, white background");
  EXPECT_EQ(keyframePrompt("A circle Growing", phrases), "A circle");  // any case
  EXPECT_EQ(keyframePrompt("an ingrowing nail", phrases), "an ingrowing nail");  // whole words only
  EXPECT_EQ(keyframePrompt("moving left, moving left", phrases), "moving left, moving left");  // nothing else said
  EXPECT_EQ(keyframePrompt("a cat moving left", {}), "a cat moving left");
}

TEST(KeyframePrompt, SaysAMotionsKeyframeWordsWhereTheNounsAdjectivesGo) {
  const std::vector<std::string> phrases = {"moving left", "growing", "shrinking"};
  const std::map<std::string, std::string> words = {{"growing", "small"}, {"shrinking", "big"}};
  EXPECT_EQ(keyframePrompt("a yellow background with a green square at the top left growing", phrases, words),
            "a yellow background with a small green square at the top left");
  EXPECT_EQ(keyframePrompt("on red, an orange circle Shrinking", phrases, words), "on red, a big orange circle");
  EXPECT_EQ(keyframePrompt("A red circle growing", phrases, {{"growing", "inflated"}}), "An inflated red circle");
  EXPECT_EQ(keyframePrompt("purple triangle at the bottom growing, white background", phrases, words),
            "small purple triangle at the bottom, white background");  // no article: the prompt's start
  EXPECT_EQ(keyframePrompt("a small red circle growing", phrases, words), "a small red circle");  // said already
  EXPECT_EQ(keyframePrompt("a red circle moving left", phrases, words), "a red circle");  // a move has no words
  EXPECT_EQ(keyframePrompt("a red circle growing and growing", phrases, words), "a small red circle and");
  EXPECT_EQ(keyframePrompt("a canary growing", phrases, words), "a small canary");  // "a" inside a word is no article
  EXPECT_EQ(keyframePrompt("a red circle growing", phrases, {{"growing", ""}}), "a red circle");
}

}  // namespace
}  // namespace lanterna::inference
