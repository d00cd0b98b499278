// UNet2DConditionModel and its parts: attention chunking, timestep embedding, config parsing, shape checks.
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nn_ops.h"
#include "test_paths.h"
#include "unet2d_condition.h"

namespace lanterna::inference {
namespace {

at::Tensor reference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, int64_t heads) {
  const int64_t b = q.size(0), d = q.size(2) / heads;
  auto split = [&](const at::Tensor& t) { return t.view({b, t.size(1), heads, d}).transpose(1, 2); };
  at::Tensor scores = at::matmul(split(q), split(k).transpose(-1, -2)) / std::sqrt(static_cast<double>(d));
  return at::matmul(scores.softmax(-1), split(v)).transpose(1, 2).reshape({b, q.size(1), q.size(2)});
}

TEST(MultiHeadAttention, ChunkedQueriesMatchTheFullScoreMatrix) {
  at::manual_seed(1);
  at::Tensor q = at::randn({2, 37, 16}), k = at::randn({2, 11, 16}), v = at::randn({2, 11, 16});
  const at::Tensor expected = reference(q, k, v, 4);
  // 1 KB of scores per chunk forces several query chunks; the default computes in one go.
  EXPECT_TRUE(at::allclose(multiHeadAttention(q, k, v, 4, Upcast::No, 1024), expected, 1e-5, 1e-6));
  EXPECT_TRUE(at::allclose(multiHeadAttention(q, k, v, 4), expected, 1e-5, 1e-6));
}

TEST(MultiHeadAttention, UpcastKeepsHalfInputsCloseToFloat) {
  at::manual_seed(2);
  at::Tensor q = at::randn({1, 8, 8}) * 4, k = at::randn({1, 8, 8}) * 4, v = at::randn({1, 8, 8});
  const at::Tensor expected = reference(q, k, v, 2);
  at::Tensor bf = multiHeadAttention(q.to(at::kBFloat16), k.to(at::kBFloat16), v.to(at::kBFloat16), 2, Upcast::Yes);
  EXPECT_EQ(bf.scalar_type(), at::kBFloat16);
  EXPECT_LT((bf.to(at::kFloat) - expected).abs().max().item<double>(), 0.1);
}

TEST(TimestepEmbedding, FlipPutsCosineFirst) {
  at::Tensor t = at::tensor({0.0f, 500.0f});
  at::Tensor emb = timestepEmbedding(t, 8, true, 0);
  ASSERT_EQ(emb.sizes(), at::IntArrayRef({2, 8}));
  EXPECT_FLOAT_EQ(emb[0][0].item<float>(), 1.0f);  // cos(0)
  EXPECT_FLOAT_EQ(emb[0][4].item<float>(), 0.0f);  // sin(0)
  // Highest frequency is exp(0) = 1: cos(500) leads, sin(500) follows at half.
  EXPECT_NEAR(emb[1][0].item<float>(), std::cos(500.0), 1e-4);
  EXPECT_NEAR(emb[1][4].item<float>(), std::sin(500.0), 1e-4);
  // Lowest frequency: exp(-ln(10000) * 3 / 4).
  EXPECT_NEAR(emb[1][7].item<float>(), std::sin(500.0 * std::exp(-std::log(10000.0) * 3 / 4)), 1e-4);
}

nlohmann::json sd15Config() {
  return {{"block_out_channels", {16, 32}},
          {"down_block_types", {"CrossAttnDownBlock2D", "DownBlock2D"}},
          {"up_block_types", {"UpBlock2D", "CrossAttnUpBlock2D"}},
          {"attention_head_dim", 4},
          {"cross_attention_dim", 32},
          {"norm_num_groups", 8},
          {"layers_per_block", 2}};
}

TEST(UNetConfig, ReadsPerBlockHeadsAndRefusesSdxl) {
  nlohmann::json config = sd15Config();
  config["attention_head_dim"] = {2, 4};
  const UNetConfig parsed = UNetConfig::fromJson(config);
  EXPECT_EQ(parsed.heads, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(parsed.crossAttnDown, (std::vector<bool>{true, false}));
  config["addition_embed_type"] = "text_time";
  EXPECT_THROW(UNetConfig::fromJson(config), WeightsError);
}

class SharedUNet : public ::testing::Test {
 protected:
  void SetUp() override {
    LANTERNA_REQUIRE_SHARED("conformance/unet_sd15.weights.safetensors");
    auto file = SafetensorsFile::open(lanterna::testing::conformanceDir() / "unet_sd15.weights.safetensors");
    ASSERT_TRUE(file) << file.error().message;
    weights_ = Weights::load(*file);
  }
  Weights weights_;
};

TEST_F(SharedUNet, OddLatentSizesRoundTripThroughTheSkips) {
  const auto unet = UNet2DCondition::load(UNetConfig::fromJson(sd15Config()), weights_);
  at::manual_seed(3);
  at::Tensor sample = at::randn({1, 4, 9, 7});
  at::Tensor out = unet.forward(sample, at::tensor(10), at::randn({1, 5, 32}));
  EXPECT_EQ(out.sizes(), sample.sizes());
  EXPECT_TRUE(at::isfinite(out).all().item<bool>());
}

TEST_F(SharedUNet, ScalarTimestepEqualsTheSameTimestepPerItem) {
  const auto unet = UNet2DCondition::load(UNetConfig::fromJson(sd15Config()), weights_);
  at::manual_seed(4);
  at::Tensor sample = at::randn({2, 4, 8, 8}), context = at::randn({2, 6, 32});
  at::Tensor a = unet.forward(sample, at::tensor(int64_t{250}), context);
  at::Tensor b = unet.forward(sample, at::tensor({250.0f, 250.0f}), context);
  EXPECT_TRUE(at::equal(a, b));
  at::Tensor c = unet.forward(sample, at::tensor(int64_t{900}), context);
  EXPECT_FALSE(at::allclose(a, c));  // the timestep reaches the resnets
}

TEST_F(SharedUNet, WrongConfigIsAPlainErrorNamingTheTensor) {
  nlohmann::json config = sd15Config();
  config["cross_attention_dim"] = 768;
  try {
    UNet2DCondition::load(UNetConfig::fromJson(config), weights_);
    FAIL() << "a 768-wide context cannot load 32-wide weights";
  } catch (const WeightsError& e) {
    EXPECT_NE(std::string(e.what()).find("attn2.to_k.weight"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lanterna::inference
