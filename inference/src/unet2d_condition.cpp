#include "unet2d_condition.h"

namespace lanterna::inference {
namespace {

// diffusers configs give some fields as one value or as a per-block list.
std::vector<int64_t> intOrList(const nlohmann::json& value, size_t count, const char* field) {
  if (value.is_number_integer()) return std::vector<int64_t>(count, value.get<int64_t>());
  if (value.is_array() && value.size() == count) return value.get<std::vector<int64_t>>();
  throw WeightsError(std::string("UNet config: \"") + field + "\" must be an integer or a list of " +
                     std::to_string(count) + " integers.");
}

std::string sub(const std::string& prefix, size_t i) { return prefix + std::to_string(i) + "."; }

}  // namespace

UNetConfig UNetConfig::fromJson(const nlohmann::json& json) {
  auto refuseIfSet = [&](const char* field, const std::string& why) {
    if (json.contains(field) && !json[field].is_null()) throw WeightsError("UNet config: " + why);
  };
  refuseIfSet("addition_embed_type", "SDXL-style added conditioning (addition_embed_type) is not supported yet.");
  refuseIfSet("class_embed_type", "class embeddings (class_embed_type) are not supported.");
  refuseIfSet("time_cond_proj_dim", "guidance-embedded UNets (time_cond_proj_dim) are not supported yet.");
  if (json.value("resnet_time_scale_shift", std::string("default")) != "default")
    throw WeightsError("UNet config: resnet_time_scale_shift other than \"default\" is not supported.");
  if (json.value("conv_in_kernel", 3) != 3 || json.value("conv_out_kernel", 3) != 3)
    throw WeightsError("UNet config: only 3x3 conv_in/conv_out kernels are supported.");

  UNetConfig c;
  c.inChannels = json.value("in_channels", 4);
  c.outChannels = json.value("out_channels", 4);
  c.blockOutChannels = json.at("block_out_channels").get<std::vector<int64_t>>();
  const size_t levels = c.blockOutChannels.size();
  const auto down = json.at("down_block_types").get<std::vector<std::string>>();
  const auto up = json.at("up_block_types").get<std::vector<std::string>>();
  if (down.size() != levels || up.size() != levels)
    throw WeightsError("UNet config: block type lists do not match block_out_channels.");
  c.crossAttnDown.clear();
  c.crossAttnUp.clear();
  for (const auto& type : down) {
    if (type != "CrossAttnDownBlock2D" && type != "DownBlock2D")
      throw WeightsError("UNet config: down block \"" + type + "\" is not supported.");
    c.crossAttnDown.push_back(type == "CrossAttnDownBlock2D");
  }
  for (const auto& type : up) {
    if (type != "CrossAttnUpBlock2D" && type != "UpBlock2D")
      throw WeightsError("UNet config: up block \"" + type + "\" is not supported.");
    c.crossAttnUp.push_back(type == "CrossAttnUpBlock2D");
  }
  const std::string mid = json.value("mid_block_type", std::string("UNetMidBlock2DCrossAttn"));
  if (mid != "UNetMidBlock2DCrossAttn") throw WeightsError("UNet config: mid block \"" + mid + "\" is not supported.");
  c.layersPerBlock = json.value("layers_per_block", 2);
  // Historic naming: attention_head_dim is the number of heads unless num_attention_heads is set.
  const nlohmann::json& heads = json.contains("num_attention_heads") && !json["num_attention_heads"].is_null()
                                    ? json["num_attention_heads"]
                                    : json.at("attention_head_dim");
  c.heads = intOrList(heads, levels, "attention_head_dim");
  c.transformerLayers = intOrList(json.value("transformer_layers_per_block", nlohmann::json(1)), levels,
                                  "transformer_layers_per_block");
  c.crossAttentionDim = json.value("cross_attention_dim", 768);
  c.normGroups = json.value("norm_num_groups", 32);
  c.normEps = json.value("norm_eps", 1e-5);
  c.flipSinToCos = json.value("flip_sin_to_cos", true);
  c.freqShift = json.value("freq_shift", 0.0);
  c.linearProjection = json.value("use_linear_projection", false);
  c.upcastAttention = json.value("upcast_attention", false);
  c.centerInputSample = json.value("center_input_sample", false);
  c.sampleSize = json.value("sample_size", 64);
  return c;
}

UNet2DCondition UNet2DCondition::load(const UNetConfig& config, const Weights& w) {
  UNet2DCondition unet;
  unet.config_ = config;
  const auto& ch = config.blockOutChannels;
  const size_t levels = ch.size();
  const int64_t tembDim = ch[0] * 4;
  const Upcast upcast = config.upcastAttention ? Upcast::Yes : Upcast::No;
  auto resnet = [&](const std::string& name, int64_t in, int64_t out) {
    return ResnetBlock::load(w.sub(name), {in, out, tembDim, config.normGroups, config.normEps});
  };
  auto transformer = [&](const std::string& name, int64_t channels, size_t level) {
    TransformerShape shape{channels, config.heads[level], config.crossAttentionDim, config.transformerLayers[level],
                           config.normGroups, config.linearProjection, upcast};
    return Transformer2D::load(w.sub(name), shape);
  };

  unet.convIn_ = Conv2d::load(w, "conv_in", ch[0], config.inChannels, 3);
  unet.timeLinear1_ = Linear::load(w, "time_embedding.linear_1", tembDim, ch[0]);
  unet.timeLinear2_ = Linear::load(w, "time_embedding.linear_2", tembDim, tembDim);

  int64_t outChannels = ch[0];
  for (size_t i = 0; i < levels; ++i) {
    const int64_t inChannels = outChannels;
    outChannels = ch[i];
    Level level;
    const std::string prefix = sub("down_blocks.", i);
    for (int64_t j = 0; j < config.layersPerBlock; ++j) {
      level.resnets.push_back(resnet(sub(prefix + "resnets.", j), j == 0 ? inChannels : outChannels, outChannels));
      if (config.crossAttnDown[i]) level.attentions.push_back(transformer(sub(prefix + "attentions.", j), outChannels, i));
    }
    level.hasDownsample = i + 1 < levels;
    if (level.hasDownsample)
      level.down = Downsample::load(w.sub(prefix + "downsamplers.0."), outChannels, DownsamplePad::Symmetric);
    unet.downLevels_.push_back(std::move(level));
  }

  const int64_t midChannels = ch.back();
  unet.midResnet1_ = resnet("mid_block.resnets.0.", midChannels, midChannels);
  unet.midAttention_ = transformer("mid_block.attentions.0.", midChannels, levels - 1);
  unet.midResnet2_ = resnet("mid_block.resnets.1.", midChannels, midChannels);

  outChannels = ch.back();
  for (size_t i = 0; i < levels; ++i) {
    const size_t mirrored = levels - 1 - i;  // heads and transformer depth follow the reversed lists
    const int64_t prevOutput = outChannels;
    outChannels = ch[mirrored];
    const int64_t inChannels = ch[mirrored == 0 ? 0 : mirrored - 1];
    Level level;
    const std::string prefix = sub("up_blocks.", i);
    for (int64_t j = 0; j <= config.layersPerBlock; ++j) {
      const int64_t skip = j == config.layersPerBlock ? inChannels : outChannels;
      const int64_t resIn = j == 0 ? prevOutput : outChannels;
      level.resnets.push_back(resnet(sub(prefix + "resnets.", j), resIn + skip, outChannels));
      if (config.crossAttnUp[i])
        level.attentions.push_back(transformer(sub(prefix + "attentions.", j), outChannels, mirrored));
    }
    level.hasUpsample = i + 1 < levels;
    if (level.hasUpsample) level.up = Upsample::load(w.sub(prefix + "upsamplers.0."), outChannels);
    unet.upLevels_.push_back(std::move(level));
  }

  unet.normOut_ = GroupNorm::load(w, "conv_norm_out", ch[0], config.normGroups, config.normEps);
  unet.convOut_ = Conv2d::load(w, "conv_out", config.outChannels, ch[0], 3);
  return unet;
}

at::Tensor UNet2DCondition::forward(const at::Tensor& sample, const at::Tensor& timestep,
                                    const at::Tensor& context) const {
  return forward(sample, timestep, context, BlockHook{});
}

at::Tensor UNet2DCondition::forward(const at::Tensor& sampleIn, const at::Tensor& timestep,
                                    const at::Tensor& contextIn, const BlockHook& hook, FrameAnchor anchor) const {
  auto hooked = [&](const at::Tensor& x, BlockSite::Part part, size_t level, size_t layer) {
    return hook ? hook(x, BlockSite{part, level, layer}) : x;
  };
  const auto type = dtype();
  const auto dev = device();
  at::Tensor sample = sampleIn.to(dev, type);
  at::Tensor context = contextIn.to(dev, type);
  const int64_t batch = sample.size(0);

  // 1. Time embedding (sinusoid in float32, as diffusers), a scalar timestep broadcast to the batch.
  at::Tensor t = timestep.to(dev).reshape({-1});
  if (t.numel() == 1) t = t.expand({batch});
  at::Tensor temb = timestepEmbedding(t, config_.blockOutChannels[0], config_.flipSinToCos, config_.freqShift);
  temb = timeLinear2_(at::silu(timeLinear1_(temb.to(type))));

  // 2. Down path: every resnet/attention output and every downsampler output is a skip connection.
  if (config_.centerInputSample) sample = sample * 2.0 - 1.0;
  const bool channelsLast = cpuKernels().channelsLastUNet && sample.is_cpu() && type == at::kFloat;
  if (channelsLast) sample = sample.contiguous(at::MemoryFormat::ChannelsLast);  // every layer keeps the layout
  at::Tensor h = convIn_(sample);
  std::vector<at::Tensor> skips{h};
  for (size_t i = 0; i < downLevels_.size(); ++i) {
    const Level& level = downLevels_[i];
    for (size_t j = 0; j < level.resnets.size(); ++j) {
      h = level.resnets[j](h, temb);
      if (!level.attentions.empty()) h = level.attentions[j](h, context, anchor);
      h = hooked(h, BlockSite::Part::Down, i, j);
      skips.push_back(h);
    }
    if (level.hasDownsample) {
      h = level.down(h);
      skips.push_back(h);
    }
  }

  // 3. Middle.
  h = midAttention_(midResnet1_(h, temb), context, anchor);
  h = midResnet2_(hooked(h, BlockSite::Part::Mid, 0, 0), temb);

  // 4. Up path: each resnet takes the last skip; upsample to the next skip's size (odd sizes round-trip).
  for (size_t i = 0; i < upLevels_.size(); ++i) {
    const Level& level = upLevels_[i];
    for (size_t j = 0; j < level.resnets.size(); ++j) {
      h = level.resnets[j](at::cat({h, skips.back()}, 1), temb);
      skips.pop_back();
      if (!level.attentions.empty()) h = level.attentions[j](h, context, anchor);
      h = hooked(h, BlockSite::Part::Up, i, j);
    }
    if (level.hasUpsample) h = level.up(h, skips.back().sizes().slice(2));
  }

  // 5. Output.
  return convOut_(at::silu(normOut_(h))).contiguous();
}

}  // namespace lanterna::inference
