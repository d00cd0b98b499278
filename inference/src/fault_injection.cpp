#include "fault_injection.h"

#include <c10/util/Exception.h>

#include <cstdlib>
#include <string>

namespace lanterna::inference {

namespace {

bool listed(std::string_view list, std::string_view point) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (list.substr(0, comma) == point) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

void injectOutOfMemory(std::string_view point, int step) {
  const char* list = std::getenv("LANTERNA_INJECT_OOM");
  if (!list || !*list) return;
  const std::string name = step > 0 ? std::string(point) + ":" + std::to_string(step) : std::string(point);
  if (!listed(list, name)) return;
  // Worded as CUDACachingAllocator words it, so code that looks at the text sees what a real failure shows.
  C10_THROW_ERROR(OutOfMemoryError, "CUDA out of memory. Tried to allocate 2.00 GiB (injected at " + name +
                                        " by LANTERNA_INJECT_OOM)");
}

}  // namespace lanterna::inference
