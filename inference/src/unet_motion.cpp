#include "unet_motion.h"

#include <algorithm>
#include <utility>

namespace lanterna::inference {
namespace {

constexpr int64_t kUpBlockMotionGroups = 32;

std::string sub(const std::string& prefix, size_t i) { return prefix + std::to_string(i) + "."; }

int64_t countPrefixed(const Weights& w, const std::string& prefix) {
  int64_t n = 0;
  while (w.has(sub(prefix, static_cast<size_t>(n)) + "norm.weight")) ++n;
  return n;
}

}  // namespace

MotionAdapterConfig MotionAdapterConfig::fromJson(const nlohmann::json& json) {
  MotionAdapterConfig c;
  try {
    c.blockOutChannels = json.at("block_out_channels").get<std::vector<int64_t>>();
    c.layersPerBlock = json.value("motion_layers_per_block", c.layersPerBlock);
    c.midLayers = json.value("motion_mid_block_layers_per_block", c.midLayers);
    c.heads = json.value("motion_num_attention_heads", c.heads);
    c.normGroups = json.value("motion_norm_num_groups", c.normGroups);
    c.maxSequence = json.value("motion_max_seq_length", c.maxSequence);
    c.midBlock = json.value("use_motion_mid_block", c.midBlock);
    c.cleanFirstFrame = json.value("lanterna_clean_first_frame", c.cleanFirstFrame);
    c.firstFrameAttention = json.value("lanterna_first_frame_attention", c.firstFrameAttention);
    c.motionPhrases = json.value("lanterna_motion_phrases", c.motionPhrases);
    c.keyframeWords = json.value("lanterna_keyframe_words", c.keyframeWords);
  } catch (const nlohmann::json::exception& e) {
    throw WeightsError(std::string("MotionAdapter config has a missing or wrong value: ") + e.what());
  }
  return c;
}

MotionAdapterConfig MotionAdapterConfig::infer(const Weights& adapter) {
  MotionAdapterConfig c;
  c.blockOutChannels.clear();
  for (size_t i = 0; adapter.has(sub("down_blocks.", i) + "motion_modules.0.norm.weight"); ++i)
    c.blockOutChannels.push_back(adapter.get(sub("down_blocks.", i) + "motion_modules.0.norm.weight").size(0));
  if (c.blockOutChannels.empty())
    throw WeightsError("\"" + adapter.source() + "\" has no down_blocks.0.motion_modules.0 (not a motion module)");
  c.layersPerBlock = countPrefixed(adapter, "down_blocks.0.motion_modules.");
  c.midLayers = countPrefixed(adapter, "mid_block.motion_modules.");
  c.midBlock = c.midLayers > 0;
  if (!c.midBlock) c.midLayers = 1;
  const std::string pe = "down_blocks.0.motion_modules.0.transformer_blocks.0.pos_embed.pe";
  if (adapter.has(pe)) c.maxSequence = adapter.get(pe).size(1);
  // Heads and groups are not visible in the tensors; every published AnimateDiff module uses 8 and 32.
  return c;
}

UNetMotion UNetMotion::load(UNet2DCondition spatial, const MotionAdapterConfig& config, const Weights& adapter) {
  const auto& unetChannels = spatial.config().blockOutChannels;
  if (unetChannels != config.blockOutChannels)
    throw WeightsError("\"" + adapter.source() + "\": motion adapter block channels do not match the UNet's "
                       "(an SD1.x motion module on an SDXL/SD2 UNet?)");
  if (spatial.config().layersPerBlock != config.layersPerBlock)
    throw WeightsError("\"" + adapter.source() + "\": motion adapter has " + std::to_string(config.layersPerBlock) +
                       " modules per down block, the UNet " + std::to_string(spatial.config().layersPerBlock) +
                       " resnets");
  UNetMotion unet;
  unet.spatial_ = std::move(spatial);
  unet.config_ = config;
  const auto& ch = config.blockOutChannels;
  const size_t levels = ch.size();
  // diffusers v0.25 builds the motion modules inside the UNet's blocks, so their GroupNorm takes the UNet's
  // norm_num_groups (not the adapter's motion_norm_num_groups), except in UpBlockMotion (up levels without
  // cross-attention): get_up_block does not forward the group count there and its default of 32 applies.
  const UNetConfig& spatialConfig = unet.spatial_.config();
  auto module = [&](const std::string& prefix, int64_t channels, int64_t groups) {
    return MotionModule::load(adapter.sub(prefix), {channels, config.heads, groups, config.maxSequence});
  };
  for (size_t i = 0; i < levels; ++i) {
    std::vector<MotionModule> downLevel, upLevel;
    for (int64_t j = 0; j < config.layersPerBlock; ++j)
      downLevel.push_back(module(sub(sub("down_blocks.", i) + "motion_modules.", j), ch[i], spatialConfig.normGroups));
    const bool upCrossAttention = i < spatialConfig.crossAttnUp.size() && spatialConfig.crossAttnUp[i];
    const int64_t upGroups = upCrossAttention ? spatialConfig.normGroups : kUpBlockMotionGroups;
    for (int64_t j = 0; j <= config.layersPerBlock; ++j)
      upLevel.push_back(module(sub(sub("up_blocks.", i) + "motion_modules.", j), ch[levels - 1 - i], upGroups));
    unet.down_.push_back(std::move(downLevel));
    unet.up_.push_back(std::move(upLevel));
  }
  if (config.midBlock)
    unet.mid_.push_back(module("mid_block.motion_modules.0.", ch.back(), spatialConfig.normGroups));
  return unet;
}

int64_t UNetMotion::maxFrames() const { return down_.empty() ? 0 : down_[0][0].maxFrames(); }

at::Tensor UNetMotion::forward(const at::Tensor& sample, const at::Tensor& timestep, const at::Tensor& context) const {
  const int64_t batch = sample.size(0), channels = sample.size(1), frames = sample.size(2);
  const int64_t height = sample.size(3), width = sample.size(4);
  // 1. (B, C, F, H, W) -> (B*F, C, H, W), frames-major within each batch item; per-item inputs follow suit.
  at::Tensor flat = sample.permute({0, 2, 1, 3, 4}).reshape({batch * frames, channels, height, width});
  at::Tensor t = timestep.reshape({-1});
  const bool perFrame = timestep.dim() == 2;
  if (!perFrame && t.numel() > 1) t = t.repeat_interleave(frames, 0);
  at::Tensor frameContext = context.repeat_interleave(frames, 0);

  // 2. The spatial UNet with a motion module after every block.
  BlockHook hook = [&](const at::Tensor& h, const BlockSite& site) -> at::Tensor {
    switch (site.part) {
      case BlockSite::Part::Down: return down_[site.level][site.layer](h, frames);
      case BlockSite::Part::Up: return up_[site.level][site.layer](h, frames);
      case BlockSite::Part::Mid: return mid_.empty() ? h : mid_.front()(h, frames);
    }
    return h;
  };
  const FrameAnchor anchor{config_.firstFrameAttention ? frames : 0};
  at::Tensor out = spatial_.forward(flat, t, frameContext, hook, anchor);

  // 3. Back to (B, C, F, H, W).
  return out.reshape({batch, frames, out.size(1), height, width}).permute({0, 2, 1, 3, 4});
}

}  // namespace lanterna::inference
