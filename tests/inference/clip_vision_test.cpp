// CLIP vision tower: config parsing, CLIP normalisation, and structural properties on random weights (the numbers
// against openai/CLIP are in the clip_vision conformance case).
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "clip_vision_encoder.h"

namespace lanterna::inference {
namespace {

Weights randomVision(int64_t h, int64_t ff, int64_t layers, int64_t patch, int64_t tokens, int64_t proj) {
  at::manual_seed(11);
  Weights w;
  auto put = [&](const std::string& name, at::IntArrayRef shape) { w.set(name, at::randn(shape) * 0.2); };
  const std::string v = "vision_model.";
  put(v + "embeddings.patch_embedding.weight", {h, 3, patch, patch});
  put(v + "embeddings.class_embedding", {h});
  put(v + "embeddings.position_embedding.weight", {tokens, h});
  for (const char* n : {"pre_layrnorm", "post_layernorm"}) {
    put(v + n + ".weight", {h});
    put(v + n + ".bias", {h});
  }
  for (int64_t i = 0; i < layers; ++i) {
    const std::string l = v + "encoder.layers." + std::to_string(i) + ".";
    for (const char* n : {"layer_norm1", "layer_norm2"}) {
      put(l + n + ".weight", {h});
      put(l + n + ".bias", {h});
    }
    for (const char* p : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      put(l + "self_attn." + p + ".weight", {h, h});
      put(l + "self_attn." + p + ".bias", {h});
    }
    put(l + "mlp.fc1.weight", {ff, h});
    put(l + "mlp.fc1.bias", {ff});
    put(l + "mlp.fc2.weight", {h, ff});
    put(l + "mlp.fc2.bias", {h});
  }
  put("visual_projection.weight", {proj, h});
  return w;
}

TEST(ClipVision, ConfigDefaultsAreSvdViTH) {
  const ClipVisionConfig c = ClipVisionConfig::fromJson(nlohmann::json::object());
  EXPECT_EQ(c.hiddenSize, 1280);
  EXPECT_EQ(c.patchSize, 14);
  EXPECT_FALSE(c.quickGelu);
  EXPECT_THROW(ClipVisionConfig::fromJson({{"hidden_act", "relu"}}), WeightsError);
  EXPECT_THROW(ClipVisionConfig::fromJson({{"image_size", 30}, {"patch_size", 8}}), WeightsError);
}

TEST(ClipVision, NormalisesWithClipMeanAndStd) {
  at::Tensor white = at::ones({1, 3, 2, 2});
  at::Tensor n = clipNormalize(white);
  EXPECT_NEAR(n[0][0][0][0].item<float>(), (1 - 0.48145466) / 0.26862954, 1e-5);
  EXPECT_NEAR(n[0][2][1][1].item<float>(), (1 - 0.40821073) / 0.27577711, 1e-5);
}

TEST(ClipVision, PooledIsTheClassTokenAndImagesAreIndependent) {
  c10::InferenceMode guard;
  nlohmann::json json = {{"hidden_size", 16}, {"intermediate_size", 32}, {"num_hidden_layers", 2},
                         {"num_attention_heads", 2}, {"image_size", 16}, {"patch_size", 8},
                         {"projection_dim", 8}, {"hidden_act", "quick_gelu"}};
  const ClipVisionEncoder enc = ClipVisionEncoder::load(ClipVisionConfig::fromJson(json), randomVision(16, 32, 2, 8, 5, 8));
  at::Tensor pixels = at::randn({2, 3, 16, 16});
  ClipVisionOutput out = enc.forward(pixels);
  ASSERT_EQ(out.lastHiddenState.sizes(), (std::vector<int64_t>{2, 5, 16}));
  ASSERT_EQ(out.imageEmbeds.sizes(), (std::vector<int64_t>{2, 8}));
  // Batch items do not see each other: changing image 1 leaves image 0's embedding bit-identical.
  at::Tensor other = pixels.clone();
  other[1].add_(1.0);
  ClipVisionOutput out2 = enc.forward(other);
  EXPECT_TRUE(at::equal(out2.imageEmbeds[0], out.imageEmbeds[0]));
  EXPECT_FALSE(at::allclose(out2.imageEmbeds[1], out.imageEmbeds[1]));
  // Wrong-shaped weights (positions for another image size) fail at load, naming the tensor.
  json["image_size"] = 24;
  try {
    ClipVisionEncoder::load(ClipVisionConfig::fromJson(json), randomVision(16, 32, 2, 8, 5, 8));
    FAIL() << "expected a shape error";
  } catch (const WeightsError& e) {
    EXPECT_NE(std::string(e.what()).find("position_embedding"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lanterna::inference
