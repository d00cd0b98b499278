// Where a layer lands in the output: the shared geometry of the CPU and Vulkan paths.
#pragma once

#include <algorithm>

#include "lanterna/assets/compositor.h"

namespace lanterna::assets {

struct LayerRect {
  float offsetX = 0, offsetY = 0;  // top-left of the scaled source in output pixels
  float scaleX = 1, scaleY = 1;    // output pixels per source pixel
};

inline LayerRect layoutLayer(FitMode fit, int srcWidth, int srcHeight, int dstWidth, int dstHeight) {
  float sx = float(dstWidth) / float(srcWidth);
  float sy = float(dstHeight) / float(srcHeight);
  if (fit == FitMode::Contain) sx = sy = std::min(sx, sy);
  if (fit == FitMode::Cover) sx = sy = std::max(sx, sy);
  return {(float(dstWidth) - float(srcWidth) * sx) * 0.5f, (float(dstHeight) - float(srcHeight) * sy) * 0.5f, sx, sy};
}

}  // namespace lanterna::assets
