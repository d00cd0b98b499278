// CpuBlockCacheScope: large blocks are reused inside a scope, released at its end, and pointers may cross the scope's
// edges both ways (oneDNN frees its buffers through whichever CPU allocator is installed at the time).
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "cpu_block_cache.h"

namespace lanterna::inference {
namespace {

constexpr int64_t kBigFloats = 1 << 20;  // 4 MiB: cached
constexpr int64_t kSmallFloats = 1024;   // 4 KiB: never cached

TEST(CpuBlockCache, ReusesAFreedBlockInsideAScopeAndReleasesItAtTheEnd) {
  void* first = nullptr;
  {
    CpuBlockCacheScope cache;
    at::Tensor a = at::ones({kBigFloats});
    first = a.data_ptr();
    a = at::Tensor();
    EXPECT_GE(cpuBlockCacheIdleBytes(), size_t{kBigFloats} * 4);
    at::Tensor b = at::empty({kBigFloats});
    EXPECT_EQ(b.data_ptr(), first);  // the same block, no fresh pages
    EXPECT_EQ(cpuBlockCacheIdleBytes(), 0u);
    b.fill_(2);
    at::Tensor small = at::ones({kSmallFloats});
    small = at::Tensor();
    EXPECT_EQ(cpuBlockCacheIdleBytes(), 0u);
  }
  EXPECT_EQ(cpuBlockCacheIdleBytes(), 0u);
}

TEST(CpuBlockCache, ATensorMayOutliveItsScopeOrPredateIt) {
  at::Tensor before = at::ones({kBigFloats});
  at::Tensor made;
  {
    CpuBlockCacheScope cache;
    made = at::full({kBigFloats}, 3.0f);
    before = at::Tensor();  // made by the default allocator, freed through the cache
    at::Tensor reused = at::zeros({kBigFloats});
    EXPECT_EQ(reused.sum().item<float>(), 0.0f);
  }
  EXPECT_EQ(made.sum().item<float>(), 3.0f * kBigFloats);
  made = at::Tensor();  // freed after the scope: the cache hands the allocator back
  at::Tensor after = at::ones({kBigFloats});
  EXPECT_EQ(after.sum().item<float>(), static_cast<float>(kBigFloats));
}

TEST(CpuBlockCache, NestedScopesKeepCachingUntilTheOuterEnds) {
  CpuBlockCacheScope outer;
  {
    CpuBlockCacheScope inner;
    at::Tensor a = at::ones({kBigFloats});
  }
  EXPECT_GE(cpuBlockCacheIdleBytes(), size_t{kBigFloats} * 4);
}

// oneDNN allocates and frees through raw_allocate / raw_deallocate, across the scope's edge.
TEST(CpuBlockCache, OneDnnBuffersCrossTheScope) {
  if (!at::hasMKLDNN()) GTEST_SKIP() << "LibTorch built without oneDNN";
  const at::Tensor dense = at::randn({1, 64, 128, 128});
  at::Tensor packedBefore = dense.to_mkldnn();
  at::Tensor packedInside;
  {
    CpuBlockCacheScope cache;
    packedInside = dense.to_mkldnn();
    EXPECT_TRUE(at::equal(packedBefore.to_dense(), dense));
    packedBefore = at::Tensor();
  }
  EXPECT_TRUE(at::equal(packedInside.to_dense(), dense));
  packedInside = at::Tensor();
}

}  // namespace
}  // namespace lanterna::inference
