// UNetSpatioTemporalConditionModel (diffusers v0.25), the Stable Video Diffusion denoiser: spatial resnets and
// transformers per frame, each followed by a temporal counterpart across frames and a learned AlphaBlender; time
// embedding plus the "added time ids" (fps-1, motion bucket, noise augmentation).
//   SvdUNetConfig config = SvdUNetConfig::fromJson(json);
//   SvdUNet unet = SvdUNet::load(config, weights);
//   at::Tensor v = unet.forward(sample, t, imageEmbeds, addedTimeIds);  // sample (B, F, 8, h, w) -> (B, F, 4, h, w)
// Internal to inference/. forward() is const and may run on several threads at once.
#pragma once

#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "resnet_block.h"
#include "spatio_temporal_res_block.h"
#include "transformer_2d.h"
#include "weights.h"

namespace lanterna::inference {

struct SvdUNetConfig {
  int64_t inChannels = 8;
  int64_t outChannels = 4;
  std::vector<int64_t> blockOutChannels{320, 640, 1280, 1280};
  std::vector<bool> crossAttnDown{true, true, true, false};
  std::vector<bool> crossAttnUp{false, true, true, true};
  int64_t layersPerBlock = 2;
  std::vector<int64_t> heads{5, 10, 20, 20};
  std::vector<int64_t> transformerLayers{1, 1, 1, 1};
  int64_t crossAttentionDim = 1024;
  int64_t additionTimeEmbedDim = 256;
  int64_t projectionInputDim = 768;  // 3 * additionTimeEmbedDim
  int64_t numFrames = 25;

  static SvdUNetConfig fromJson(const nlohmann::json& json);
};

// GEGLU feed-forward (Linear C->8C split into h, gate; h * gelu(gate); Linear 4C->C).
struct GegluFeedForward {
  Linear proj, out;
  static GegluFeedForward load(const Weights& w, const std::string& name, int64_t dim);
  at::Tensor operator()(const at::Tensor& x) const;
};

// Attention across frames at every spatial position, cross-attending to the first frame's conditioning.
class TemporalTransformerBlock {
 public:
  static TemporalTransformerBlock load(const Weights& w, int64_t dim, int64_t contextDim, int64_t heads);
  // x (B*F, S, C); context (B*S ordered as diffusers builds it, T, D).
  at::Tensor operator()(const at::Tensor& x, int64_t frames, const at::Tensor& context) const;

 private:
  LayerNorm normIn_, norm1_, norm2_, norm3_;
  GegluFeedForward ffIn_, ff_;
  Attention attn1_, attn2_;
};

class TransformerSpatioTemporal {
 public:
  static TransformerSpatioTemporal load(const Weights& w, int64_t channels, int64_t heads, int64_t contextDim,
                                        int64_t layers);
  at::Tensor operator()(const at::Tensor& x, const at::Tensor& context, int64_t frames) const;

 private:
  GroupNorm norm_;
  Linear projIn_, projOut_, posLinear1_, posLinear2_;
  std::vector<BasicTransformerBlock> spatial_;
  std::vector<TemporalTransformerBlock> temporal_;
  AlphaBlender mixer_;
  int64_t channels_ = 0;
};

class SvdUNet {
 public:
  static SvdUNet load(const SvdUNetConfig& config, const Weights& weights);
  // sample (B, F, inChannels, h, w); timestep 0-d or (B) continuous (0.25 * log sigma); context (B, T, D);
  // addedTimeIds (B, 3) = [fps - 1, motion_bucket_id, noise_aug_strength].
  at::Tensor forward(const at::Tensor& sample, const at::Tensor& timestep, const at::Tensor& context,
                     const at::Tensor& addedTimeIds) const;
  const SvdUNetConfig& config() const { return config_; }
  at::ScalarType dtype() const { return convIn_.weight.scalar_type(); }
  at::Device device() const { return convIn_.weight.device(); }

 private:
  struct Level {
    std::vector<SpatioTemporalResBlock> resnets;
    std::vector<TransformerSpatioTemporal> attentions;
    bool hasSample = false;
    Downsample down;
    Upsample up;
  };
  SvdUNetConfig config_;
  Conv2d convIn_, convOut_;
  Linear timeLinear1_, timeLinear2_, addLinear1_, addLinear2_;
  std::vector<Level> downLevels_, upLevels_;
  SpatioTemporalResBlock midResnet1_, midResnet2_;
  TransformerSpatioTemporal midAttention_;
  GroupNorm normOut_;
};

}  // namespace lanterna::inference
