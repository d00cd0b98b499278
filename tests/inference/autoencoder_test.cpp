// AutoencoderKL (encode/decode, tiled decode) and TAESD, on the tiny shared weights.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "autoencoder_kl.h"
#include "autoencoder_tiny.h"
#include "test_paths.h"

namespace lanterna::inference {
namespace {

Weights loadShared(const std::string& name) {
  auto file = SafetensorsFile::open(lanterna::testing::conformanceDir() / name);
  if (!file) throw WeightsError(file.error().message);
  return Weights::load(*file);
}

nlohmann::json vaeConfig() {
  return {{"block_out_channels", {16, 32, 32, 32}}, {"layers_per_block", 2}, {"norm_num_groups", 8},
          {"latent_channels", 4}};
}

TEST(AutoencoderKL, EncodeClampsLogvarAndDecodeUpscalesByEight) {
  LANTERNA_REQUIRE_SHARED("conformance/vae.weights.safetensors");
  const auto vae = AutoencoderKL::load(VaeConfig::fromJson(vaeConfig()), loadShared("vae.weights.safetensors"));
  EXPECT_EQ(vae.config().downscale(), 8);
  at::manual_seed(5);
  LatentDistribution dist = vae.encode(at::rand({1, 3, 32, 24}) * 2 - 1);
  EXPECT_EQ(dist.mean.sizes(), at::IntArrayRef({1, 4, 4, 3}));
  EXPECT_LE(dist.logvar.max().item<double>(), 20.0);
  EXPECT_GE(dist.logvar.min().item<double>(), -30.0);
  EXPECT_EQ(vae.decode(dist.mean).sizes(), at::IntArrayRef({1, 3, 32, 24}));
}

TEST(AutoencoderKL, TiledDecodeEqualsDecodeForOneTileAndBlendsSeamlesslyOtherwise) {
  LANTERNA_REQUIRE_SHARED("conformance/vae.weights.safetensors");
  const auto vae = AutoencoderKL::load(VaeConfig::fromJson(vaeConfig()), loadShared("vae.weights.safetensors"));
  at::manual_seed(6);
  at::Tensor latent = at::randn({1, 4, 14, 11});
  const at::Tensor full = vae.decode(latent);
  EXPECT_TRUE(at::equal(vae.decodeTiled(latent, {16, 4}), full));

  const at::Tensor tiled = vae.decodeTiled(latent, {8, 3});
  ASSERT_EQ(tiled.sizes(), full.sizes());
  // Tiles see less context (GroupNorm statistics, attention), so values differ a little, but no seam: the
  // largest jump between neighbouring columns stays close to what the untiled image has.
  auto maxColumnJump = [](const at::Tensor& image) {
    return (image.slice(3, 1) - image.slice(3, 0, -1)).abs().amax({0, 1, 2}).max().item<double>();
  };
  EXPECT_LT(maxColumnJump(tiled), 1.5 * maxColumnJump(full) + 0.05);
  EXPECT_LT((tiled - full).abs().mean().item<double>(), 0.5);
}

TEST(AutoencoderTiny, RoundTripShapesAndLatentClamp) {
  LANTERNA_REQUIRE_SHARED("conformance/taesd.weights.safetensors");
  nlohmann::json config = {{"encoder_block_out_channels", {16, 16, 16, 16}},
                           {"decoder_block_out_channels", {16, 16, 16, 16}},
                           {"num_encoder_blocks", {1, 1, 1, 1}},
                           {"num_decoder_blocks", {1, 1, 1, 1}}};
  const auto taesd = AutoencoderTiny::load(TinyVaeConfig::fromJson(config), loadShared("taesd.weights.safetensors"));
  at::manual_seed(7);
  at::Tensor latents = taesd.encode(at::rand({2, 3, 32, 16}) * 2 - 1);
  EXPECT_EQ(latents.sizes(), at::IntArrayRef({2, 4, 4, 2}));
  EXPECT_EQ(taesd.decode(latents).sizes(), at::IntArrayRef({2, 3, 32, 16}));
  // tanh(x/3)*3 saturates: huge latents decode like large ones.
  at::Tensor big = at::full({1, 4, 2, 2}, 1e4), bigger = at::full({1, 4, 2, 2}, 1e6);
  EXPECT_TRUE(at::allclose(taesd.decode(big), taesd.decode(bigger)));
}

TEST(AutoencoderTiny, MismatchedConfigIsAnError) {
  LANTERNA_REQUIRE_SHARED("conformance/taesd.weights.safetensors");
  nlohmann::json config = {{"encoder_block_out_channels", {64, 64, 64, 64}}};
  EXPECT_THROW(AutoencoderTiny::load(TinyVaeConfig::fromJson(config), loadShared("taesd.weights.safetensors")),
               WeightsError);
}

}  // namespace
}  // namespace lanterna::inference
