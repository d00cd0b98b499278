// ResnetBlock2D (diffusers v0.25): GN -> SiLU -> conv1 (+ time embedding) -> GN -> SiLU -> conv2, plus a shortcut
// (1x1 conv when channels change). Also the UNet/VAE down- and upsamplers. Internal to inference/.
//   ResnetBlock block = ResnetBlock::load(w.sub("down_blocks.0.resnets.0."), {16, 16, 64, 8, 1e-5});
//   at::Tensor h = block(x, temb);   // temb undefined for VAE resnets
#pragma once

#include <ATen/ATen.h>

#include "nn_ops.h"
#include "weights.h"

namespace lanterna::inference {

struct ResnetShape {
  int64_t inChannels = 0;
  int64_t outChannels = 0;
  int64_t tembChannels = 0;  // 0: no time embedding (VAE)
  int64_t groups = 32;
  double eps = 1e-5;
};

class ResnetBlock {
 public:
  static ResnetBlock load(const Weights& w, const ResnetShape& shape);
  at::Tensor operator()(const at::Tensor& x, const at::Tensor& temb = {}) const;

 private:
  GroupNorm norm1_, norm2_;
  Conv2d conv1_, conv2_, shortcut_;
  Linear timeProj_;
  bool hasShortcut_ = false;
  bool hasTime_ = false;
};

// UNet downsampler: 3x3 stride-2 conv with padding 1. VAE downsampler: pad (0,1,0,1) then 3x3 stride-2, no padding.
enum class DownsamplePad { Symmetric, RightBottom };

struct Downsample {
  Conv2d conv;
  DownsamplePad pad = DownsamplePad::Symmetric;
  static Downsample load(const Weights& w, int64_t channels, DownsamplePad pad);
  at::Tensor operator()(const at::Tensor& x) const;
};

// Whether an upsampler also keeps sub-pixel weights for the fused NHWC path (upsampleConvNhwc).
enum class SubPixel { No, Yes };

// Nearest x2 (or to an explicit size, when a skip connection has an odd size) then 3x3 conv.
struct Upsample {
  Conv2d conv;
  at::Tensor phases;  // subPixelWeights(conv weight) when loaded with SubPixel::Yes; used for NHWC float32 x2
  static Upsample load(const Weights& w, int64_t channels, SubPixel subPixel = SubPixel::No);
  at::Tensor operator()(const at::Tensor& x, at::IntArrayRef size = {}) const;
};

}  // namespace lanterna::inference
