#include "cpu_block_cache.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <c10/core/CPUAllocator.h>
#include <c10/util/Exception.h>

#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif
#ifndef TORCH_VERSION_MAJOR
#define TORCH_VERSION_MAJOR 1
#define TORCH_VERSION_MINOR 13
#endif
// LibTorch 2.3 made Allocator::allocate non-const and added the pure virtual copy_data.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define LANTERNA_ALLOCATOR_2_3 1
#else
#define LANTERNA_ALLOCATOR_2_3 0
#endif

namespace lanterna::inference {
namespace {

constexpr size_t kMinBlockBytes = size_t{1} << 20;  // smaller tensors fault in few pages: not worth holding
constexpr size_t kMaxIdleBytes = size_t{512} << 20;
constexpr size_t kAlignment = 64;                   // as c10's own CPU allocator

// Installed as ATen's CPU allocator while a scope lives or one of its blocks is still in a tensor. Its blocks are
// plain posix_memalign ones and it frees what it does not know with free(), exactly as c10's default allocator does,
// so a pointer may be freed by either allocator: oneDNN frees its buffers through whichever allocator is installed
// at that moment (raw_deallocate), not the one that made them.
class BlockCache final : public c10::Allocator {
 public:
  static BlockCache& instance() {
    static BlockCache* cache = new BlockCache;  // never destroyed: tensors may outlive static destruction order
    return *cache;
  }

#if LANTERNA_ALLOCATOR_2_3
  c10::DataPtr allocate(size_t bytes) override {
#else
  c10::DataPtr allocate(size_t bytes) const override {
#endif
    void* data = nullptr;
    std::vector<void*> evicted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (scopes_ > 0 && bytes >= kMinBlockBytes) data = takeIdle(bytes, evicted);
    }
    freeAll(evicted);
    if (data == nullptr) {
      TORCH_CHECK(posix_memalign(&data, kAlignment, std::max<size_t>(bytes, 1)) == 0,
                  "CpuBlockCache: out of memory allocating ", bytes, " bytes");
      std::lock_guard<std::mutex> lock(mutex_);
      if (scopes_ > 0 && bytes >= kMinBlockBytes) blocks_[data] = bytes;
    }
    return {data, data, &BlockCache::release, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &BlockCache::release; }
#if LANTERNA_ALLOCATOR_2_3
  void copy_data(void* dest, const void* src, size_t count) const override { default_copy_data(dest, src, count); }
#endif

  void enter() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (scopes_++ > 0 || installed_) return;
    previous_ = c10::GetCPUAllocator();
    c10::SetCPUAllocator(this);
    installed_ = true;
  }

  void leave() {
    std::vector<void*> idle;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--scopes_ > 0) return;
      for (const auto& entry : idle_) {
        idle.push_back(entry.second);
        blocks_.erase(entry.second);
      }
      idle_.clear();
      idleBytes_ = 0;
      uninstallIfUnused();
    }
    freeAll(idle);
  }

  size_t idleBytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return idleBytes_;
  }

 private:
  static void release(void* data) { instance().giveBack(data); }

  void giveBack(void* data) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto block = blocks_.find(data);
      if (block != blocks_.end()) {
        if (scopes_ > 0 && idleBytes_ + block->second <= kMaxIdleBytes) {
          idle_.emplace(block->second, data);
          idleBytes_ += block->second;
          return;
        }
        blocks_.erase(block);
        uninstallIfUnused();
      }
    }
    std::free(data);
  }

  void uninstallIfUnused() {
    if (scopes_ > 0 || !blocks_.empty() || !installed_) return;
    c10::SetCPUAllocator(previous_);
    installed_ = false;
  }

  // The smallest idle block that holds `bytes` without wasting more than its size. On a miss, idle blocks smaller
  // than the request are handed back: activations grow level by level, so they would only raise the peak.
  void* takeIdle(size_t bytes, std::vector<void*>& evicted) const {
    auto fit = idle_.lower_bound(bytes);
    if (fit != idle_.end() && fit->first <= 2 * bytes) {
      void* data = fit->second;
      idleBytes_ -= fit->first;
      idle_.erase(fit);
      return data;
    }
    for (auto it = idle_.begin(); it != idle_.end() && it->first < bytes;) {
      evicted.push_back(it->second);
      blocks_.erase(it->second);
      idleBytes_ -= it->first;
      it = idle_.erase(it);
    }
    return nullptr;
  }

  static void freeAll(const std::vector<void*>& blocks) {
    for (void* data : blocks) std::free(data);
  }

  mutable std::mutex mutex_;
  mutable std::unordered_map<void*, size_t> blocks_;  // every block made in a scope and not yet freed
  mutable std::multimap<size_t, void*> idle_;          // the ones no tensor holds, by size
  mutable size_t idleBytes_ = 0;
  int scopes_ = 0;
  bool installed_ = false;
  c10::Allocator* previous_ = nullptr;
};

}  // namespace

CpuBlockCacheScope::CpuBlockCacheScope() { BlockCache::instance().enter(); }
CpuBlockCacheScope::~CpuBlockCacheScope() { BlockCache::instance().leave(); }

size_t cpuBlockCacheIdleBytes() { return BlockCache::instance().idleBytes(); }

}  // namespace lanterna::inference
