#include "mapped_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

namespace lanterna::inference {
namespace {

// Whether [data, data + bytes) lies in one private mapping of a file (a weight borrowed from a safetensors file),
// from /proc/self/maps. Linux only; elsewhere nothing counts as mapped and packed weights keep a dense copy.
bool inFileMapping(const void* data, size_t bytes) {
  const auto begin = reinterpret_cast<uintptr_t>(data), end = begin + bytes;
  FILE* maps = std::fopen("/proc/self/maps", "r");
  if (maps == nullptr) return false;
  bool found = false;
  unsigned long start = 0, stop = 0, offset = 0, inode = 0;
  char perms[8] = {};
  char device[32] = {};
  char line[4096];
  while (std::fgets(line, sizeof line, maps) != nullptr) {
    if (std::sscanf(line, "%lx-%lx %7s %lx %31s %lu", &start, &stop, perms, &offset, device, &inode) != 6) continue;
    if (begin >= start && end <= stop) {
      found = inode != 0 && perms[3] == 'p';
      break;
    }
  }
  std::fclose(maps);
  return found;
}

void releaseFilePages(const at::Tensor& t) {
#ifdef MADV_PAGEOUT
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<uintptr_t>(t.data_ptr()), end = begin + t.nbytes();
  const uintptr_t first = (begin + page - 1) / page * page, last = end / page * page;  // whole pages only
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_PAGEOUT);
#else
  (void)t;
#endif
}

}  // namespace

bool releaseMappedPages(const at::Tensor& t) {
  if (!t.defined() || t.numel() == 0 || !inFileMapping(t.data_ptr(), t.nbytes())) return false;
  releaseFilePages(t);
  return true;
}

}  // namespace lanterna::inference
