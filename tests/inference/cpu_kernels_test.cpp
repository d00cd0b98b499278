// The fast CPU paths of nn_ops (Linear through oneDNN, cache-blocked attention) against the plain ATen ones.
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

}  // namespace
}  // namespace lanterna::inference
