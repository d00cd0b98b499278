// Transformer2DModel (diffusers v0.25) as used by SD1.x/SD2.x UNets: GroupNorm -> proj_in -> BasicTransformerBlocks
// (self-attention, cross-attention, GEGLU feed-forward, each pre-LayerNorm with a residual) -> proj_out -> residual.
//   Transformer2D t = Transformer2D::load(w.sub("down_blocks.0.attentions.0."), shape);
//   at::Tensor y = t(x, encoderHiddenStates);
// Internal to inference/. Read-only after loading.
#pragma once

#include <vector>

#include <ATen/ATen.h>

#include "nn_ops.h"
#include "weights.h"

namespace lanterna::inference {

// A batch of clips (B*F images, frames-major) whose self-attention also looks at each clip's first frame, so a given
// image-to-video frame reaches the pixels its shape moves to; temporal attention reads one pixel's history only.
// Inactive (0 or 1 frame per clip): each image attends to itself alone. The first frame's own output is the same
// either way.
struct FrameAnchor {
  int64_t framesPerClip = 0;
  bool active() const { return framesPerClip > 1; }
};

// q/k/v projections (no bias) and to_out.0 (bias); context dim differs from the query dim for cross-attention.
class Attention {
 public:
  static Attention load(const Weights& w, int64_t queryDim, int64_t contextDim, int64_t heads, Upcast upcast);
  at::Tensor operator()(const at::Tensor& x, const at::Tensor& context) const;
  // Self-attention whose keys and values are each frame's own tokens followed by its clip's first frame's
  // (FrameAnchor): every token is projected once, then the first frame's keys and values are repeated per frame.
  at::Tensor withFirstFrame(const at::Tensor& x, FrameAnchor anchor) const;

 private:
  Linear toQ_, toK_, toV_, toOut_;
  int64_t heads_ = 1;
  Upcast upcast_ = Upcast::No;
};

class BasicTransformerBlock {
 public:
  static BasicTransformerBlock load(const Weights& w, int64_t dim, int64_t contextDim, int64_t heads, Upcast upcast);
  at::Tensor operator()(at::Tensor x, const at::Tensor& context, FrameAnchor anchor = {}) const;

 private:
  LayerNorm norm1_, norm2_, norm3_;
  Attention attn1_, attn2_;
  Linear geglu_, ffOut_;
};

struct TransformerShape {
  int64_t channels = 0;
  int64_t heads = 1;
  int64_t contextDim = 0;
  int64_t layers = 1;
  int64_t groups = 32;
  bool linearProjection = false;  // SD2.x: nn.Linear after flattening; SD1.x: 1x1 conv before
  Upcast upcast = Upcast::No;
};

class Transformer2D {
 public:
  static Transformer2D load(const Weights& w, const TransformerShape& shape);
  at::Tensor operator()(const at::Tensor& x, const at::Tensor& context, FrameAnchor anchor = {}) const;

 private:
  TransformerShape shape_;
  GroupNorm norm_;
  Conv2d projInConv_, projOutConv_;
  Linear projInLinear_, projOutLinear_;
  std::vector<BasicTransformerBlock> blocks_;
};

}  // namespace lanterna::inference
