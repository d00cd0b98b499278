// Resident memory of weights borrowed from a memory-mapped safetensors file, once a derived copy replaces them
// (oneDNN's packed layout, the sub-pixel upsampling weights). Internal to inference/.
//   if (!releaseMappedPages(weight)) weight = {};   // not file-backed: drop the dense copy instead
#pragma once

#include <ATen/ATen.h>

namespace lanterna::inference {

// Hands the whole pages of t back to the page cache when t lies in a private file mapping (they fault in again if
// t is ever read). Returns whether it did; false for heap tensors and off Linux.
bool releaseMappedPages(const at::Tensor& t);

}  // namespace lanterna::inference
