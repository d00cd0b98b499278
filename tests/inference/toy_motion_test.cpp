// The toy motion adapter: its layout loads through the engine's own AnimateDiff classes (video_loader, UNetMotion),
// a fresh (zero-initialised) adapter leaves every frame exactly as the image UNet predicts it, and the exported
// folder lists it as diffusers' AnimateDiffPipeline does.
#include <gtest/gtest.h>

#include <c10/core/GradMode.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "lanterna/inference/safetensors.h"
#include "parameter_layout.h"
#include "toy_export.h"
#include "toy_model_configs.h"
#include "unet_motion.h"
#include "video_loader.h"

using namespace lanterna;
using namespace lanterna::toy;

namespace {

std::filesystem::path freshDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "lanterna_toy_motion_test" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST(ToyMotion, ZeroInitialisedAdapterLoadsAndLeavesFramesAsTheImageUNetDrawsThem) {
  const auto model = freshDir("zero");
  const Status exported = exportToyMotionAdapter({}, model, 5);
  ASSERT_TRUE(exported.ok()) << exported.error().message;

  std::ifstream indexFile(model / "model_index.json");
  const auto index = nlohmann::json::parse(indexFile);
  EXPECT_EQ(index["_class_name"], "AnimateDiffPipeline");
  EXPECT_EQ(index["motion_adapter"], nlohmann::json::array({"diffusers", "MotionAdapter"}));

  auto adapter = inference::loadMotionAdapter(model / "motion_adapter");
  ASSERT_TRUE(adapter.ok()) << adapter.error().message;
  EXPECT_EQ(adapter->config.blockOutChannels, (std::vector<std::int64_t>{32, 64, 128}));
  EXPECT_EQ(adapter->config.heads, 4);
  EXPECT_TRUE(adapter->weights.has("down_blocks.0.motion_modules.0.transformer_blocks.0.pos_embed.pe"));
  const at::Tensor projOut = adapter->weights.get("up_blocks.1.motion_modules.0.proj_out.weight");
  EXPECT_EQ(projOut.abs().max().item<float>(), 0.0f);
  EXPECT_GT(adapter->weights.get("mid_block.motion_modules.0.proj_in.weight").abs().max().item<float>(), 0.0f);

  at::manual_seed(2);
  const auto unetConfig = inference::UNetConfig::fromJson(toyUNetConfig());
  const NamedTensors unetTensors = initParameters(unetLayout(unetConfig), "", at::kCPU);
  c10::NoGradGuard noGrad;
  auto spatial = inference::UNet2DCondition::load(unetConfig, weightsFrom(unetTensors, ""));
  const auto motion = inference::UNetMotion::load(inference::UNet2DCondition::load(unetConfig, weightsFrom(unetTensors, "")),
                                                  adapter->config, adapter->weights);
  const std::int64_t frames = 8;
  const at::Tensor sample = at::randn({1, 4, frames, 32, 32});
  const at::Tensor context = at::randn({1, 77, 64});
  const at::Tensor t = at::tensor({500}, at::kLong);
  const at::Tensor video = motion.forward(sample, t, context);
  const at::Tensor flat = sample.permute({0, 2, 1, 3, 4}).reshape({frames, 4, 32, 32});
  const at::Tensor perFrame = spatial.forward(flat, t.repeat({frames}), context.repeat({frames, 1, 1}));
  EXPECT_TRUE(at::allclose(video[0].permute({1, 0, 2, 3}), perFrame, 1e-4, 1e-5));

  // Timesteps per frame (B, F): a clean first frame at 0, the rest at 500. Frames stay independent here, so frame 0
  // is the image UNet's prediction at timestep 0 and the others are unchanged.
  at::Tensor perFrameT = at::full({1, frames}, 500, at::kLong);
  perFrameT[0][0] = 0;
  const at::Tensor mixed = motion.forward(sample, perFrameT, context)[0].permute({1, 0, 2, 3});
  EXPECT_TRUE(at::allclose(mixed.slice(0, 1), perFrame.slice(0, 1), 1e-4, 1e-5));
  const at::Tensor atZero = spatial.forward(flat.slice(0, 0, 1), at::tensor({0}, at::kLong), context);
  EXPECT_TRUE(at::allclose(mixed.slice(0, 0, 1), atZero, 1e-4, 1e-5));
  EXPECT_FALSE(at::allclose(atZero, perFrame.slice(0, 0, 1), 1e-2, 1e-3));
}
