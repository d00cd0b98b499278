// The channels-last kernels (GroupNorm+SiLU, sub-pixel upsampling convolution) and the NHWC VAE decoder against
// plain ATen in NCHW.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "autoencoder_kl.h"
#include "nhwc_kernels.h"
#include "nn_ops.h"
#include "test_paths.h"

namespace lanterna::inference {
namespace {

at::Tensor channelsLast(const at::Tensor& x) { return x.contiguous(at::MemoryFormat::ChannelsLast); }

TEST(NhwcKernels, GroupNormMatchesAtenWithAndWithoutSilu) {
  at::manual_seed(11);
  for (int64_t groups : {32, 8, 2}) {
    // A large common offset: statistics must not lose the variance to cancellation.
    const at::Tensor x = at::randn({2, 64, 7, 5}) * 0.5 + at::randn({1, 64, 1, 1}) * 3 + 300;
    const at::Tensor gamma = at::randn({64}), beta = at::randn({64});
    const at::Tensor plain = at::group_norm(x, groups, gamma, beta, 1e-6);
    const at::Tensor norm = groupNormNhwc(channelsLast(x), gamma, beta, groups, 1e-6, Activation::None, InPlace::No);
    EXPECT_TRUE(norm.is_contiguous(at::MemoryFormat::ChannelsLast));
    EXPECT_TRUE(at::allclose(norm, plain, 1e-4, 1e-4)) << (norm - plain).abs().max().item<double>();
    const at::Tensor silu = groupNormNhwc(channelsLast(x), gamma, beta, groups, 1e-6, Activation::Silu, InPlace::No);
    EXPECT_TRUE(at::allclose(silu, at::silu(plain), 1e-4, 1e-4)) << (silu - at::silu(plain)).abs().max().item<double>();
  }
}

TEST(NhwcKernels, GroupNormInPlaceWritesIntoItsInput) {
  at::manual_seed(12);
  const at::Tensor x = at::randn({1, 32, 6, 6});
  const at::Tensor gamma = at::ones({32}), beta = at::zeros({32});
  at::Tensor target = channelsLast(x);
  const at::Tensor out = groupNormNhwc(target, gamma, beta, 4, 1e-5, Activation::Silu, InPlace::Yes);
  EXPECT_EQ(out.data_ptr(), target.data_ptr());
  EXPECT_TRUE(at::allclose(target, at::silu(at::group_norm(x, 4, gamma, beta, 1e-5)), 1e-4, 1e-5));
}

TEST(NhwcKernels, IsNhwcOnlyForChannelsLastFloatWithSixteenChannelMultiples) {
  EXPECT_TRUE(isNhwcFloatCpu(channelsLast(at::zeros({1, 16, 4, 4}))));
  EXPECT_FALSE(isNhwcFloatCpu(at::zeros({1, 16, 4, 4})));                    // NCHW
  EXPECT_FALSE(isNhwcFloatCpu(channelsLast(at::zeros({1, 12, 4, 4}))));      // 12 channels
  EXPECT_FALSE(isNhwcFloatCpu(channelsLast(at::zeros({1, 16, 4, 4}, at::kDouble))));
  EXPECT_FALSE(isNhwcFloatCpu(channelsLast(at::zeros({1, 16, 1, 1}))));      // also plain contiguous
}

TEST(NhwcKernels, SubPixelConvolutionEqualsUpsampleThenConv) {
  at::manual_seed(13);
  const at::Tensor x = at::randn({2, 16, 5, 7});
  const at::Tensor weight = at::randn({32, 16, 3, 3}) * 0.2, bias = at::randn({32});
  const at::Tensor expected = at::conv2d(at::upsample_nearest2d(x, {10, 14}), weight, bias, 1, 1);
  const at::Tensor fused = upsampleConvNhwc(channelsLast(x), subPixelWeights(weight), bias);
  ASSERT_EQ(fused.sizes(), expected.sizes());
  EXPECT_TRUE(fused.is_contiguous(at::MemoryFormat::ChannelsLast));
  EXPECT_TRUE(at::allclose(fused, expected, 1e-4, 1e-4)) << (fused - expected).abs().max().item<double>();
  const at::Tensor noBias = upsampleConvNhwc(channelsLast(x), subPixelWeights(weight), {});
  EXPECT_TRUE(at::allclose(noBias, expected - bias.view({1, 32, 1, 1}), 1e-4, 1e-4));
}

// The shared tiny VAE (16/32 channels, 8 groups) run NHWC (dense weights) and NCHW (packed weights).
TEST(NhwcKernels, VaeDecodeAndEncodeMatchTheNchwPath) {
  LANTERNA_REQUIRE_SHARED("conformance/vae.weights.safetensors");
  auto file = SafetensorsFile::open(lanterna::testing::conformanceDir() / "vae.weights.safetensors");
  ASSERT_TRUE(file) << file.error().message;
  const Weights weights = Weights::load(*file);
  const VaeConfig config = VaeConfig::fromJson({{"block_out_channels", {16, 32, 32, 32}}, {"layers_per_block", 2},
                                                {"norm_num_groups", 8}, {"latent_channels", 4}});
  const CpuKernels saved = cpuKernels();
  CpuKernels kernels = saved;
  kernels.channelsLastVae = false;
  kernels.prepackedConvWeights = true;
  setCpuKernels(kernels);
  const AutoencoderKL nchw = AutoencoderKL::load(config, weights);
  kernels.channelsLastVae = true;
  setCpuKernels(kernels);
  const AutoencoderKL nhwc = AutoencoderKL::load(config, weights);
  at::manual_seed(14);
  const at::Tensor latent = at::randn({1, 4, 6, 5});
  const at::Tensor image = at::rand({1, 3, 40, 24}) * 2 - 1;
  const at::Tensor fast = nhwc.decode(latent);
  const at::Tensor fastMean = nhwc.encode(image).mean;
  kernels.channelsLastVae = false;
  setCpuKernels(kernels);
  const at::Tensor plain = nchw.decode(latent);
  const at::Tensor plainMean = nchw.encode(image).mean;
  setCpuKernels(saved);
  EXPECT_TRUE(at::allclose(fastMean, plainMean, 1e-3, 1e-4)) << (fastMean - plainMean).abs().max().item<double>();
  ASSERT_EQ(fast.sizes(), at::IntArrayRef({1, 3, 48, 40}));
  EXPECT_TRUE(fast.is_contiguous());
  EXPECT_TRUE(at::allclose(fast, plain, 1e-3, 1e-4)) << (fast - plain).abs().max().item<double>();
}

}  // namespace
}  // namespace lanterna::inference
