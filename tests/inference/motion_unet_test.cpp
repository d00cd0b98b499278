// AnimateDiff motion modules: the positional table, the original-key conversion, frame mixing, and loading an
// original-layout (guoyww) file through loadMotionAdapter to the same numbers as the diffusers layout.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "motion_module.h"
#include "test_paths.h"
#include "transformer_2d.h"
#include "unet_motion.h"
#include "video_loader.h"

namespace lanterna::inference {
namespace {

Weights randomModule(int64_t c, const std::string& prefix = "") {
  at::manual_seed(7);
  Weights w;
  auto put = [&](const std::string& name, at::IntArrayRef shape) { w.set(prefix + name, at::randn(shape) * 0.3); };
  put("norm.weight", {c});
  put("norm.bias", {c});
  put("proj_in.weight", {c, c});
  put("proj_in.bias", {c});
  put("proj_out.weight", {c, c});
  put("proj_out.bias", {c});
  const std::string b = "transformer_blocks.0.";
  for (const char* n : {"norm1", "norm2", "norm3"}) {
    put(b + n + ".weight", {c});
    put(b + n + ".bias", {c});
  }
  for (const char* a : {"attn1.", "attn2."}) {
    for (const char* p : {"to_q", "to_k", "to_v"}) put(b + a + p + ".weight", {c, c});
    put(b + a + "to_out.0.weight", {c, c});
    put(b + a + "to_out.0.bias", {c});
  }
  put(b + "ff.net.0.proj.weight", {8 * c, c});
  put(b + "ff.net.0.proj.bias", {8 * c});
  put(b + "ff.net.2.weight", {c, 4 * c});
  put(b + "ff.net.2.bias", {c});
  return w;
}

TEST(MotionModule, PositionalTableIsInterleavedSinCos) {
  at::Tensor pe = sinusoidalPositions(32, 8);
  ASSERT_EQ(pe.sizes(), (std::vector<int64_t>{1, 32, 8}));
  EXPECT_NEAR(pe[0][3][0].item<float>(), std::sin(3.0), 1e-6);
  EXPECT_NEAR(pe[0][3][1].item<float>(), std::cos(3.0), 1e-6);
  const double f1 = std::exp(-std::log(10000.0) * 2 / 8);
  EXPECT_NEAR(pe[0][5][2].item<float>(), std::sin(5 * f1), 1e-6);
  EXPECT_NEAR(pe[0][5][3].item<float>(), std::cos(5 * f1), 1e-6);
}

TEST(MotionModule, ConvertsOriginalKeyLayout) {
  Weights w;
  const std::string p = "down_blocks.0.motion_modules.1.temporal_transformer.";
  for (const char* name : {"norm.weight", "transformer_blocks.0.attention_blocks.0.to_q.weight",
                           "transformer_blocks.0.attention_blocks.1.to_out.0.bias", "transformer_blocks.0.norms.0.bias",
                           "transformer_blocks.0.norms.1.weight", "transformer_blocks.0.ff_norm.weight",
                           "transformer_blocks.0.attention_blocks.0.pos_encoder.pe",
                           "transformer_blocks.0.attention_blocks.1.pos_encoder.pe"})
    w.set(p + name, at::zeros({1}));
  w.set("mid_block.motion_modules.0.proj_in.weight", at::zeros({1}));  // diffusers name: untouched
  EXPECT_TRUE(convertOriginalMotionKeys(w));
  const std::string q = "down_blocks.0.motion_modules.1.";
  for (const char* name : {"norm.weight", "transformer_blocks.0.attn1.to_q.weight",
                           "transformer_blocks.0.attn2.to_out.0.bias", "transformer_blocks.0.norm1.bias",
                           "transformer_blocks.0.norm2.weight", "transformer_blocks.0.norm3.weight",
                           "transformer_blocks.0.pos_embed.pe"})
    EXPECT_TRUE(w.has(q + name)) << name;
  EXPECT_TRUE(w.has("mid_block.motion_modules.0.proj_in.weight"));
  EXPECT_EQ(w.all().size(), 8u);  // the second pe copy is dropped
  Weights plain;
  plain.set("mid_block.motion_modules.0.proj_in.weight", at::zeros({1}));
  EXPECT_FALSE(convertOriginalMotionKeys(plain));
}

TEST(MotionModule, MixesFramesButNotPixels) {
  c10::InferenceMode guard;
  const MotionModule m = MotionModule::load(randomModule(16), {16, 4, 4, 32});
  at::Tensor x = at::randn({6, 16, 3, 3});  // B=2, F=3
  at::Tensor y = m(x, 3);
  at::Tensor x2 = x.clone();
  x2[1][0][2][2] += 1.0;  // batch 0, frame 1, one pixel
  at::Tensor d = (m(x2, 3) - y).abs();
  // Frame 0 of batch 0 changes (attention across frames); batch 1 does not. GroupNorm statistics span the clip, so
  // other pixels move too, but only within batch item 0.
  EXPECT_GT(d[0].max().item<float>(), 1e-4);
  EXPECT_EQ(d.slice(0, 3, 6).max().item<float>(), 0.0f);
  EXPECT_THROW(m(at::randn({33, 16, 1, 1}), 33), WeightsError);  // more frames than the table covers
}

// With a FrameAnchor, each frame's self-attention also reads its clip's first frame: the other frames follow a
// change in it, the first frame's own output does not change, and clips stay apart.
TEST(FrameAnchor, FramesAlsoReadTheirClipsFirstFrame) {
  c10::InferenceMode guard;
  const int64_t c = 8, frames = 4;
  const BasicTransformerBlock block =
      BasicTransformerBlock::load(randomModule(c).sub("transformer_blocks.0."), c, c, 2, Upcast::No);
  const FrameAnchor anchor{frames};
  at::Tensor x = at::randn({2 * frames, 6, c});  // two clips of four frames, six tokens each
  const at::Tensor context = at::randn({2 * frames, 3, c});
  const at::Tensor plain = block(x, context), anchored = block(x, context, anchor);
  for (int64_t first : {int64_t{0}, frames}) EXPECT_TRUE(at::allclose(anchored[first], plain[first], 1e-5, 1e-5));
  EXPECT_GT((anchored[2] - plain[2]).abs().max().item<float>(), 1e-3);

  at::Tensor moved = x.clone();
  moved[0] += at::randn({6, c});  // the first clip's first frame
  const at::Tensor anchoredMoved = block(moved, context, anchor);
  EXPECT_GT((anchoredMoved[2] - anchored[2]).abs().max().item<float>(), 1e-3);
  EXPECT_TRUE(at::equal(block(moved, context)[2], plain[2]));  // without the anchor, frames are independent
  EXPECT_TRUE(at::allclose(anchoredMoved[frames + 2], anchored[frames + 2]));  // the second clip's own first frame

  // A clip of one repeated picture attends to the same keys twice over: the anchor changes nothing.
  const at::Tensor still = x.narrow(0, 0, 1).expand({frames, 6, c}).contiguous();
  EXPECT_TRUE(at::allclose(block(still, context.narrow(0, 0, frames), anchor),
                           block(still, context.narrow(0, 0, frames)), 1e-5, 1e-5));
}

// The shared diffusers-layout adapter, renamed to the original AnimateDiff layout, loads to identical outputs.
TEST(MotionUNet, OriginalLayoutFileLoadsLikeDiffusersLayout) {
  LANTERNA_REQUIRE_SHARED("conformance/motion_adapter.weights.safetensors");
  c10::InferenceMode guard;
  const auto dir = lanterna::testing::conformanceDir();
  std::ifstream in(dir / "manifest.json");
  nlohmann::json config;
  const nlohmann::json manifest = nlohmann::json::parse(in);  // kept alive: the loop borrows from it
  for (const auto& e : manifest.at("cases"))
    if (e.value("name", "") == "animatediff_unet_motion") config = e.at("config");
  ASSERT_FALSE(config.is_null());

  auto source = SafetensorsFile::open(dir / "motion_adapter.weights.safetensors");
  ASSERT_TRUE(source);
  const Weights diffusers = Weights::load(*source);
  std::vector<std::string> names;
  std::vector<at::Tensor> keep;
  std::vector<TensorToWrite> out;
  for (const auto& [name, tensor] : diffusers.all()) {
    std::string key = name;
    auto swap = [&](const std::string& from, const std::string& to) {
      if (auto at = key.find(from); at != std::string::npos) key.replace(at, from.size(), to);
    };
    swap("motion_modules.0.", "motion_modules.0.temporal_transformer.");
    swap("motion_modules.1.", "motion_modules.1.temporal_transformer.");
    swap("motion_modules.2.", "motion_modules.2.temporal_transformer.");
    swap(".attn1.", ".attention_blocks.0.");
    swap(".attn2.", ".attention_blocks.1.");
    swap(".norm1.", ".norms.0.");
    swap(".norm2.", ".norms.1.");
    swap(".norm3.", ".ff_norm.");
    swap(".pos_embed.pe", ".attention_blocks.0.pos_encoder.pe");
    keep.push_back(tensor.contiguous());
    out.push_back({key, DType::F32, keep.back().sizes().vec(), keep.back().data_ptr()});
  }
  const auto path = std::filesystem::temp_directory_path() / "lanterna_mm_original_layout.safetensors";
  ASSERT_TRUE(writeSafetensors(path, out));

  LoadOptions options;
  options.overrides = {{"motion_adapter", config.at("motion_adapter")}};
  auto original = loadMotionAdapter(path, options);
  auto reference = loadMotionAdapter(dir / "motion_adapter.weights.safetensors", options);
  std::filesystem::remove(path);
  ASSERT_TRUE(original) << original.error().message;
  ASSERT_TRUE(reference) << reference.error().message;
  EXPECT_TRUE(original->convertedFromOriginal);
  EXPECT_FALSE(reference->convertedFromOriginal);
  EXPECT_EQ(original->config.blockOutChannels, (std::vector<int64_t>{16, 32}));
  EXPECT_EQ(original->config.maxSequence, 32);

  auto unetFile = SafetensorsFile::open(dir / "unet_sd15.weights.safetensors");
  ASSERT_TRUE(unetFile);
  const Weights unetWeights = Weights::load(*unetFile);
  const UNetConfig unetConfig = UNetConfig::fromJson(config.at("unet"));
  const UNetMotion a = UNetMotion::load(UNet2DCondition::load(unetConfig, unetWeights), original->config, original->weights);
  const UNetMotion b = UNetMotion::load(UNet2DCondition::load(unetConfig, unetWeights), reference->config, reference->weights);
  at::manual_seed(3);
  at::Tensor sample = at::randn({1, 4, 4, 8, 8}), context = at::randn({1, 7, 32});
  at::Tensor t = at::tensor(500, at::kLong);
  EXPECT_TRUE(at::equal(a.forward(sample, t, context), b.forward(sample, t, context)));
}

TEST(MotionUNet, RefusesAnSvdFolderOrUnknownFile) {
  const auto path = std::filesystem::temp_directory_path() / "lanterna_not_a_motion_module.safetensors";
  at::Tensor x = at::zeros({2});
  ASSERT_TRUE(writeSafetensors(path, {{"some.weight", DType::F32, {2}, x.data_ptr()}}));
  auto loaded = loadMotionAdapter(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("motion module"), std::string::npos) << loaded.error().message;
}

}  // namespace
}  // namespace lanterna::inference
