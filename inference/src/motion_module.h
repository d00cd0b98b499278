// AnimateDiff motion module (diffusers v0.25 TransformerTemporalModel as built by MotionAdapter): attention over the
// frame axis at every pixel, inserted after each spatial block of an SD UNet. Internal to inference/.
//   MotionModule m = MotionModule::load(w.sub("down_blocks.0.motion_modules.0."), {320, 8, 32, 32});
//   at::Tensor y = m(x, frames);   // x: (B*F, C, H, W), frames-major within each batch item
// Read-only after loading; forward may run on several threads at once.
#pragma once

#include <vector>

#include <ATen/ATen.h>

#include "nn_ops.h"
#include "transformer_2d.h"
#include "weights.h"

namespace lanterna::inference {

struct MotionShape {
  int64_t channels = 0;
  int64_t heads = 8;            // motion_num_attention_heads
  int64_t groups = 32;          // motion_norm_num_groups
  int64_t maxSequence = 32;     // motion_max_seq_length: frames the positional table covers
};

// Sinusoidal table (1, length, dim) as AnimateDiff's PositionalEncoding / diffusers' SinusoidalPositionalEmbedding:
// even channels sin(pos * f_i), odd channels cos(pos * f_i), f_i = exp(-ln(10000) * 2i / dim).
at::Tensor sinusoidalPositions(int64_t length, int64_t dim);

class MotionModule {
 public:
  // Uses the stored "transformer_blocks.N.pos_embed.pe" table when present, else builds it.
  static MotionModule load(const Weights& w, const MotionShape& shape);
  at::Tensor operator()(const at::Tensor& x, int64_t frames) const;
  int64_t maxFrames() const { return maxSequence_; }

 private:
  struct Block {
    LayerNorm norm1, norm2, norm3;
    Attention attn1, attn2;  // both self-attention over frames
    Linear geglu, ffOut;
    at::Tensor pe;           // (1, maxSequence, C)
    at::Tensor operator()(at::Tensor x) const;
  };
  GroupNorm norm_;
  Linear projIn_, projOut_;
  std::vector<Block> blocks_;
  int64_t maxSequence_ = 32;
};

// Renames the original AnimateDiff (guoyww) motion-module keys to the diffusers MotionAdapter layout in place:
// "...motion_modules.J.temporal_transformer.transformer_blocks.K.attention_blocks.0" -> "...attn1", "norms.0" ->
// "norm1", "ff_norm" -> "norm3", "attention_blocks.0.pos_encoder.pe" -> "pos_embed.pe". Diffusers keys pass
// through unchanged. Returns true when anything was renamed.
bool convertOriginalMotionKeys(Weights& weights);

}  // namespace lanterna::inference
