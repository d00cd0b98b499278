// UNet2DConditionModel (diffusers v0.25) for SD1.x / SD2.x: config from the diffusers config.json, weights under
// diffusers names, forward(sample, timestep, encoder_hidden_states) -> noise (or v) prediction.
//   UNetConfig config = UNetConfig::fromJson(json);                  // throws WeightsError on unsupported configs
//   UNet2DCondition unet = UNet2DCondition::load(config, weights);   // checks every shape
//   at::Tensor eps = unet.forward(latents, t, context);
// Internal to inference/. forward() is const and may run on several threads at once.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "resnet_block.h"
#include "transformer_2d.h"
#include "weights.h"

namespace lanterna::inference {

struct UNetConfig {
  int64_t inChannels = 4;
  int64_t outChannels = 4;
  std::vector<int64_t> blockOutChannels{320, 640, 1280, 1280};
  std::vector<bool> crossAttnDown{true, true, true, false};  // per down block
  std::vector<bool> crossAttnUp{false, true, true, true};    // per up block
  int64_t layersPerBlock = 2;
  std::vector<int64_t> heads{8, 8, 8, 8};  // per down block ("attention_head_dim" in diffusers = heads)
  std::vector<int64_t> transformerLayers{1, 1, 1, 1};
  int64_t crossAttentionDim = 768;
  int64_t normGroups = 32;
  double normEps = 1e-5;
  bool flipSinToCos = true;
  double freqShift = 0;
  bool linearProjection = false;
  bool upcastAttention = false;
  bool centerInputSample = false;
  int64_t sampleSize = 64;

  static UNetConfig fromJson(const nlohmann::json& config);
};

// Where forward() calls a BlockHook: after each resnet (+ attention) of a down or up level, and after the mid
// block's attention. The AnimateDiff UNet inserts its motion modules there.
struct BlockSite {
  enum class Part { Down, Mid, Up } part = Part::Down;
  size_t level = 0;
  size_t layer = 0;
};
using BlockHook = std::function<at::Tensor(const at::Tensor&, const BlockSite&)>;

class UNet2DCondition {
 public:
  static UNet2DCondition load(const UNetConfig& config, const Weights& weights);
  // sample (B, C, H, W); timestep 0-d or (B), integer or float; context (B, T, crossAttentionDim).
  at::Tensor forward(const at::Tensor& sample, const at::Tensor& timestep, const at::Tensor& context) const;
  // `anchor`: the batch is clips whose frames' self-attention also reads their first frame (see FrameAnchor).
  at::Tensor forward(const at::Tensor& sample, const at::Tensor& timestep, const at::Tensor& context,
                     const BlockHook& hook, FrameAnchor anchor = {}) const;
  const UNetConfig& config() const { return config_; }
  at::ScalarType dtype() const { return convIn_.weight.scalar_type(); }
  at::Device device() const { return convIn_.weight.device(); }

 private:
  struct Level {
    std::vector<ResnetBlock> resnets;
    std::vector<Transformer2D> attentions;  // empty for blocks without cross-attention
    bool hasDownsample = false;
    bool hasUpsample = false;
    Downsample down;
    Upsample up;
  };

  UNetConfig config_;
  Conv2d convIn_, convOut_;
  Linear timeLinear1_, timeLinear2_;
  std::vector<Level> downLevels_, upLevels_;
  ResnetBlock midResnet1_, midResnet2_;
  Transformer2D midAttention_;
  GroupNorm normOut_;
};

}  // namespace lanterna::inference
