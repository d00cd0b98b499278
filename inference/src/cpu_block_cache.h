// Keeps large freed CPU tensor blocks for reuse while a network runs, so that its activations stop paying first-touch
// page faults (on this project's VMs ~2 us per 4 KiB page: a fresh 32 MiB output costs ~17 ms, a fifth of the
// convolution that writes it). Usage, around one forward pass:
//   { CpuBlockCacheScope cache;  image = decoder(latent); }   // cached blocks are released at the end
// While any scope lives, every thread's CPU allocations of at least 1 MiB go through the cache (it is process-wide,
// as ATen's CPU allocator is); smaller ones go to the previous allocator. Scopes may nest and overlap across threads.
#pragma once

#include <cstddef>

namespace lanterna::inference {

class CpuBlockCacheScope {
 public:
  CpuBlockCacheScope();
  ~CpuBlockCacheScope();
  CpuBlockCacheScope(const CpuBlockCacheScope&) = delete;
  CpuBlockCacheScope& operator=(const CpuBlockCacheScope&) = delete;
};

// Bytes currently held by the cache for reuse (not in any tensor); for tests.
size_t cpuBlockCacheIdleBytes();

}  // namespace lanterna::inference
