// Stable Video Diffusion's frame-mixing pieces (diffusers v0.25), shared by the SVD UNet and its temporal VAE
// decoder: AlphaBlender, TemporalResnetBlock (Conv3d (3,1,1) kernels) and SpatioTemporalResBlock (a 2D resnet per
// frame, then a temporal resnet across frames, blended). Internal to inference/. Read-only after loading.
//   SpatioTemporalResBlock block = SpatioTemporalResBlock::load(w.sub("down_blocks.0.resnets.0."), shape);
//   at::Tensor h = block(x, temb, frames);   // x (B*F, C, H, W), frames-major per batch item
#pragma once

#include <ATen/ATen.h>

#include "nn_ops.h"
#include "resnet_block.h"
#include "weights.h"

namespace lanterna::inference {

// alpha = sigmoid(mix_factor); out = alpha * spatial + (1 - alpha) * temporal (alpha swapped when switched).
// SVD's image_only_indicator is all zeros at inference, so 'learned' and 'learned_with_images' agree.
enum class BlendOrder { SpatialFirst, Switched };

struct AlphaBlender {
  at::Tensor mixFactor;
  BlendOrder order = BlendOrder::SpatialFirst;
  static AlphaBlender load(const Weights& w, const std::string& name, BlendOrder order);
  at::Tensor operator()(const at::Tensor& spatial, const at::Tensor& temporal) const;
};

// Conv3d with a (k, 1, 1) kernel over (B, C, F, H, W): mixes neighbouring frames only.
struct TemporalConv {
  at::Tensor weight, bias;
  static TemporalConv load(const Weights& w, const std::string& name, int64_t out, int64_t in, int64_t kernel = 3);
  at::Tensor operator()(const at::Tensor& x) const;
};

struct SpatioTemporalShape {
  int64_t inChannels = 0;
  int64_t outChannels = 0;
  int64_t tembChannels = 0;   // 0: no time embedding (VAE decoder)
  double spatialEps = 1e-5;
  double temporalEps = 1e-5;
  BlendOrder order = BlendOrder::SpatialFirst;
};

class SpatioTemporalResBlock {
 public:
  static SpatioTemporalResBlock load(const Weights& w, const SpatioTemporalShape& shape);
  // temb: (B*F, T) or undefined.
  at::Tensor operator()(const at::Tensor& x, const at::Tensor& temb, int64_t frames) const;

 private:
  ResnetBlock spatial_;
  GroupNorm norm1_, norm2_;
  TemporalConv conv1_, conv2_;
  Linear timeProj_;
  bool hasTime_ = false;
  AlphaBlender mixer_;
};

}  // namespace lanterna::inference
