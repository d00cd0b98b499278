// The fast CPU paths of nn_ops (Linear through oneDNN, cache-blocked attention, prepacked convolution weights)
// against the plain ATen ones.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "nn_ops.h"

namespace lanterna::inference {
namespace {

// Restores the process-wide kernel choice whatever a test does.
class CpuKernelsTest : public ::testing::Test {
 protected:
  void TearDown() override { setCpuKernels(saved_); }
  CpuKernels saved_ = cpuKernels();
};

TEST_F(CpuKernelsTest, LinearViaOneDnnMatchesAtenLinear) {
  at::manual_seed(3);
  Linear linear{at::randn({48, 40}) * 0.2, at::randn({48})};
  const at::Tensor x = at::randn({2, 300, 40});  // 600 rows: past the threshold for the oneDNN path
  setCpuKernels({.linearViaOneDnn = true});
  const at::Tensor fast = linear(x);
  setCpuKernels({.linearViaOneDnn = false});
  const at::Tensor plain = linear(x);
  ASSERT_EQ(fast.sizes(), at::IntArrayRef({2, 300, 48}));
  EXPECT_TRUE(fast.is_contiguous());
  EXPECT_TRUE(at::allclose(fast, plain, 1e-4, 1e-5));
  EXPECT_TRUE(at::allclose(fast, at::linear(x, linear.weight, linear.bias), 1e-4, 1e-5));
  Linear noBias{linear.weight, {}};
  setCpuKernels({.linearViaOneDnn = true});
  EXPECT_TRUE(at::allclose(noBias(x), at::linear(x, linear.weight), 1e-4, 1e-5));
}

TEST_F(CpuKernelsTest, CacheBlockedAttentionMatchesUnfused) {
  at::manual_seed(4);
  // Cross-attention shape (keys from a 7-token context) and self-attention, with query chunks of 3 rows.
  const at::Tensor q = at::randn({2, 50, 24}), k = at::randn({2, 7, 24}), v = at::randn({2, 7, 24});
  for (const at::Tensor& keys : {k, q}) {
    const at::Tensor& values = keys.size(1) == 7 ? v : q;
    setCpuKernels({.cacheBlockedAttention = false});
    const at::Tensor plain = multiHeadAttention(q, keys, values, 3);
    setCpuKernels({.cacheBlockedAttention = true});
    const at::Tensor fast = multiHeadAttention(q, keys, values, 3);
    const at::Tensor chunked = multiHeadAttention(q, keys, values, 3, Upcast::No, 3 * keys.size(1) * 4);
    EXPECT_TRUE(at::allclose(fast, plain, 1e-4, 1e-5));
    EXPECT_TRUE(at::allclose(chunked, plain, 1e-4, 1e-5));
  }
}

// A weight converted in memory (as from an fp16 file) is kept only packed; the dense path unpacks it on demand.
TEST_F(CpuKernelsTest, PrepackedConvMatchesAtenConv) {
  at::manual_seed(5);
  const at::Tensor weight = at::randn({24, 16, 3, 3}) * 0.1, bias = at::randn({24});
  Weights w;
  w.set("conv.weight", weight.clone());
  w.set("conv.bias", bias);
  const at::Tensor x = at::randn({2, 16, 9, 9});
  for (int64_t stride : {1, 2}) {
    setCpuKernels({.prepackedConvWeights = true});
    const Conv2d conv = Conv2d::load(w, "conv", 24, 16, 3, stride);
    ASSERT_TRUE(conv.packed.defined());
    EXPECT_EQ(conv.weight.numel(), 0);
    EXPECT_EQ(conv.weight.scalar_type(), at::kFloat);
    const at::Tensor expected = at::conv2d(x, weight, bias, {stride, stride}, {1, 1});
    EXPECT_TRUE(at::allclose(conv(x), expected, 1e-4, 1e-5));
    EXPECT_FALSE(conv(x).is_mkldnn());
    setCpuKernels({.prepackedConvWeights = false});
    EXPECT_TRUE(at::allclose(conv(x), expected, 1e-4, 1e-5));  // dense path, weight unpacked again
    EXPECT_TRUE(at::equal(conv.denseWeight(), weight));
  }
}

// A weight borrowed from a mapped file keeps its dense view (pages handed back, faulted in again when read).
TEST_F(CpuKernelsTest, PrepackedConvKeepsFileBorrowedWeight) {
  at::manual_seed(6);
  const at::Tensor weight = at::randn({32, 32, 3, 3}) * 0.1;
  const auto path = std::filesystem::temp_directory_path() /
                    ("lanterna_prepack_" + std::to_string(::getpid()) + ".safetensors");
  ASSERT_TRUE(writeSafetensors(path, {{"conv.weight", DType::F32, {32, 32, 3, 3}, weight.data_ptr()}}, {}));
  {
    auto file = SafetensorsFile::open(path);
    ASSERT_TRUE(file);
    const Weights w = Weights::load(*file);
    setCpuKernels({.prepackedConvWeights = true});
    const Conv2d conv = Conv2d::load(w, "conv", 32, 32, 3, 1, -1, false);
    ASSERT_TRUE(conv.packed.defined());
    EXPECT_TRUE(at::equal(conv.weight, weight));
    const at::Tensor x = at::randn({1, 32, 6, 6});
    EXPECT_TRUE(at::allclose(conv(x), at::conv2d(x, weight, {}, {1, 1}, {1, 1}), 1e-4, 1e-5));
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace lanterna::inference
