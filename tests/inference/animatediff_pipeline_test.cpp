#include <unistd.h>
// AnimateDiff text-to-video loop on the shared tiny SD1.5 parts plus the tiny motion adapter: window blending
// agrees with one whole-clip UNet call, every step previews every frame, seeds repeat, cancel stops the run.
#include <filesystem>
#include <fstream>

#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "animatediff_pipeline.h"
#include "sd_open.h"
#include "test_paths.h"
#include "video_loader.h"

namespace lanterna::inference {
namespace {

nlohmann::json caseConfig(const nlohmann::json& manifest, const std::string& name) {
  for (const auto& entry : manifest.at("cases"))
    if (entry.value("name", "") == name) return entry.at("config");
  return {};
}

void writeJson(const std::filesystem::path& path, const nlohmann::json& json) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << json.dump(2);
}

void copyInto(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::create_directories(to.parent_path());
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

class RecordingObserver : public StepObserver {
 public:
  void onStep(const StepInfo& step) override { steps.push_back(step); }
  std::vector<StepInfo> steps;
};

class CancelAtFirstStep : public StepObserver {
 public:
  explicit CancelAtFirstStep(CancelToken& token) : token_(token) {}
  void onStep(const StepInfo&) override { token_.cancel(); }

 private:
  CancelToken& token_;
};

class AnimateDiffPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LANTERNA_REQUIRE_SHARED("conformance/motion_adapter.weights.safetensors");
    const auto dir = lanterna::testing::conformanceDir();
    std::ifstream in(dir / "manifest.json");
    const auto manifest = nlohmann::json::parse(in);
    // A diffusers SD folder from the shared tiny parts, opened the way a user's model is.
    root_ = std::filesystem::temp_directory_path() / ("lanterna_animatediff_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    writeJson(root_ / "model_index.json", {{"_class_name", "StableDiffusionPipeline"},
                                           {"unet", {"diffusers", "UNet2DConditionModel"}},
                                           {"vae", {"diffusers", "AutoencoderKL"}},
                                           {"text_encoder", {"transformers", "CLIPTextModel"}},
                                           {"tokenizer", {"transformers", "CLIPTokenizer"}},
                                           {"scheduler", {"diffusers", "EulerDiscreteScheduler"}}});
    nlohmann::json text = caseConfig(manifest, "clip_text");
    text["architectures"] = {"CLIPTextModel"};
    writeJson(root_ / "text_encoder" / "config.json", text);
    copyInto(dir / "clip_text.weights.safetensors", root_ / "text_encoder" / "model.safetensors");
    writeJson(root_ / "unet" / "config.json", caseConfig(manifest, "unet_sd15_t_scalar"));
    copyInto(dir / "unet_sd15.weights.safetensors", root_ / "unet" / "diffusion_pytorch_model.safetensors");
    writeJson(root_ / "vae" / "config.json", caseConfig(manifest, "vae_decode"));
    copyInto(dir / "vae.weights.safetensors", root_ / "vae" / "diffusion_pytorch_model.safetensors");
    writeJson(root_ / "scheduler" / "scheduler_config.json",
              caseConfig(manifest, "txt2img_tiny").at("scheduler_config"));
    for (const char* name : {"vocab.json", "merges.txt", "tokenizer_config.json"})
      if (std::filesystem::exists(dir / "clip_tokenizer" / name))
        copyInto(dir / "clip_tokenizer" / name, root_ / "tokenizer" / name);

    EngineInfo info;
    EngineOptions options;
    options.device = Device::Cpu;
    options.precision = Precision::F32;
    auto sd = openSdPipeline(root_, options, info);
    ASSERT_TRUE(sd) << sd.error().message;
    sd_.emplace(std::move(*sd));
    const nlohmann::json motion = caseConfig(manifest, "animatediff_unet_motion");
    LoadOptions loadOptions;
    loadOptions.overrides = {{"motion_adapter", motion.at("motion_adapter")}};
    auto adapter = loadMotionAdapter(dir / "motion_adapter.weights.safetensors", loadOptions);
    ASSERT_TRUE(adapter) << adapter.error().message;
    unet_.emplace(UNetMotion::load(sd_->components().unet, adapter->config, adapter->weights));
  }
  void TearDown() override {
    if (!root_.empty()) std::filesystem::remove_all(root_);
  }

  GenerationRequest request() const {
    GenerationRequest r;
    r.prompt = "a cat walking";
    r.negativePrompt = "blurry";
    r.sampler = "euler";
    r.steps = 2;
    r.cfgScale = 5.0;
    r.seed = 11;
    r.width = r.height = 32;
    r.frames = 6;
    return r;
  }

  std::filesystem::path root_;
  std::optional<SdPipeline> sd_;
  std::optional<UNetMotion> unet_;
};

TEST_F(AnimateDiffPipelineTest, OneWindowEqualsAWholeClipUNetCall) {
  c10::InferenceMode guard;
  AnimateDiffPipeline video(*sd_, *unet_, {6, 2, 8});
  at::manual_seed(5);
  const at::Tensor latents = at::randn({6, 4, 4, 4});
  const at::Tensor context = sd_->encodePrompts("a cat", "", 0, true);
  const at::Tensor t = at::scalar_tensor(400.0, at::kFloat);
  at::Tensor clip = latents.permute({1, 0, 2, 3}).unsqueeze(0);
  auto halves = unet_->forward(at::cat({clip, clip}, 0), t, context).chunk(2, 0);
  at::Tensor direct = (halves[0] + 3.0 * (halves[1] - halves[0])).squeeze(0).permute({1, 0, 2, 3});
  EXPECT_TRUE(at::allclose(video.predictNoise(latents, 400.0, context, 3.0), direct, 1e-5, 1e-6));

  // Overlapping windows of 4 (2 shared): a different mix, but still finite and the same shape.
  AnimateDiffPipeline windowed(*sd_, *unet_, {4, 2, 8});
  at::Tensor mixed = windowed.predictNoise(latents, 400.0, context, 3.0);
  EXPECT_EQ(mixed.sizes(), direct.sizes());
  EXPECT_TRUE(at::isfinite(mixed).all().item<bool>());
  EXPECT_FALSE(at::allclose(mixed, direct, 1e-5, 1e-6));
}

TEST_F(AnimateDiffPipelineTest, GeneratesEveryFrameWithPreviewsAndRepeatsBySeed) {
  c10::InferenceMode guard;
  AnimateDiffPipeline video(*sd_, *unet_, {4, 2, 4});
  RecordingObserver observer;
  CancelToken cancel;
  auto first = video.generate(request(), &observer, cancel);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->frames.size(), 6u);
  EXPECT_EQ(first->frames[0].width, 32);
  EXPECT_EQ(first->frames[0].height, 32);
  ASSERT_EQ(observer.steps.size(), 2u);
  EXPECT_EQ(observer.steps.back().step, 2);
  if (sd_->components().preview.valid()) EXPECT_EQ(observer.steps.back().preview.size(), 6u);
  auto again = video.generate(request(), nullptr, cancel);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->frames[5].rgb, first->frames[5].rgb);
  EXPECT_NE(first->frames[0].rgb, first->frames[5].rgb);  // frames differ: noise is per frame
}

TEST_F(AnimateDiffPipelineTest, CancelStopsTheRun) {
  c10::InferenceMode guard;
  AnimateDiffPipeline video(*sd_, *unet_);
  CancelToken cancel;
  CancelAtFirstStep observer(cancel);
  auto out = video.generate(request(), &observer, cancel);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::Cancelled);
}

}  // namespace
}  // namespace lanterna::inference
