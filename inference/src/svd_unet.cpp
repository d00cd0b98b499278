#include "svd_unet.h"

namespace lanterna::inference {
namespace {

constexpr double kResnetEps = 1e-5;
// diffusers hardcodes eps per block type: DownBlock/mid 1e-5, CrossAttnDownBlock 1e-6, up blocks (default) 1e-6.
constexpr double kCrossAttnDownEps = 1e-6;
constexpr double kUpResnetEps = 1e-6;
constexpr double kTransformerNormEps = 1e-6;
constexpr int64_t kGroups = 32;

std::string sub(const std::string& prefix, size_t i) { return prefix + std::to_string(i) + "."; }

std::vector<int64_t> intOrList(const nlohmann::json& value, size_t count, const char* field) {
  if (value.is_number_integer()) return std::vector<int64_t>(count, value.get<int64_t>());
  if (value.is_array() && value.size() == count) return value.get<std::vector<int64_t>>();
  throw WeightsError(std::string("SVD UNet config: \"") + field + "\" must be an integer or a list of " +
                     std::to_string(count) + " integers.");
}

}  // namespace

SvdUNetConfig SvdUNetConfig::fromJson(const nlohmann::json& json) {
  SvdUNetConfig c;
  try {
    c.inChannels = json.value("in_channels", c.inChannels);
    c.outChannels = json.value("out_channels", c.outChannels);
    c.blockOutChannels = json.at("block_out_channels").get<std::vector<int64_t>>();
    const size_t levels = c.blockOutChannels.size();
    const auto down = json.at("down_block_types").get<std::vector<std::string>>();
    const auto up = json.at("up_block_types").get<std::vector<std::string>>();
    if (down.size() != levels || up.size() != levels)
      throw WeightsError("SVD UNet config: block type lists do not match block_out_channels.");
    c.crossAttnDown.clear();
    c.crossAttnUp.clear();
    for (const auto& type : down) {
      if (type != "CrossAttnDownBlockSpatioTemporal" && type != "DownBlockSpatioTemporal")
        throw WeightsError("SVD UNet config: down block \"" + type + "\" is not supported.");
      c.crossAttnDown.push_back(type == "CrossAttnDownBlockSpatioTemporal");
    }
    for (const auto& type : up) {
      if (type != "CrossAttnUpBlockSpatioTemporal" && type != "UpBlockSpatioTemporal")
        throw WeightsError("SVD UNet config: up block \"" + type + "\" is not supported.");
      c.crossAttnUp.push_back(type == "CrossAttnUpBlockSpatioTemporal");
    }
    c.layersPerBlock = json.value("layers_per_block", c.layersPerBlock);
    c.heads = intOrList(json.value("num_attention_heads", nlohmann::json(c.heads)), levels, "num_attention_heads");
    c.transformerLayers = intOrList(json.value("transformer_layers_per_block", nlohmann::json(1)), levels,
                                    "transformer_layers_per_block");
    c.crossAttentionDim = json.value("cross_attention_dim", c.crossAttentionDim);
    c.additionTimeEmbedDim = json.value("addition_time_embed_dim", c.additionTimeEmbedDim);
    c.projectionInputDim = json.value("projection_class_embeddings_input_dim", c.projectionInputDim);
    c.numFrames = json.value("num_frames", c.numFrames);
  } catch (const nlohmann::json::exception& e) {
    throw WeightsError(std::string("SVD UNet config has a missing or wrong value: ") + e.what());
  }
  return c;
}

GegluFeedForward GegluFeedForward::load(const Weights& w, const std::string& name, int64_t dim) {
  return GegluFeedForward{Linear::load(w, name + ".net.0.proj", dim * 8, dim), Linear::load(w, name + ".net.2", dim, dim * 4)};
}

at::Tensor GegluFeedForward::operator()(const at::Tensor& x) const {
  auto parts = proj(x).chunk(2, -1);
  return out(parts[0] * at::gelu(parts[1]));
}

TemporalTransformerBlock TemporalTransformerBlock::load(const Weights& w, int64_t dim, int64_t contextDim,
                                                        int64_t heads) {
  TemporalTransformerBlock b;
  b.normIn_ = LayerNorm::load(w, "norm_in", dim);
  b.ffIn_ = GegluFeedForward::load(w, "ff_in", dim);
  b.norm1_ = LayerNorm::load(w, "norm1", dim);
  b.attn1_ = Attention::load(w.sub("attn1."), dim, dim, heads, Upcast::No);
  b.norm2_ = LayerNorm::load(w, "norm2", dim);
  b.attn2_ = Attention::load(w.sub("attn2."), dim, contextDim, heads, Upcast::No);
  b.norm3_ = LayerNorm::load(w, "norm3", dim);
  b.ff_ = GegluFeedForward::load(w, "ff", dim);
  return b;
}

at::Tensor TemporalTransformerBlock::operator()(const at::Tensor& x, int64_t frames, const at::Tensor& context) const {
  const int64_t batchFrames = x.size(0), seq = x.size(1), c = x.size(2), batch = batchFrames / frames;
  // (B*F, S, C) -> (B*S, F, C): attention runs over frames.
  at::Tensor h = x.reshape({batch, frames, seq, c}).permute({0, 2, 1, 3}).reshape({batch * seq, frames, c});
  h = ffIn_(normIn_(h)) + h;
  h = attn1_(norm1_(h), {}) + h;
  h = attn2_(norm2_(h), context) + h;
  h = ff_(norm3_(h)) + h;
  return h.reshape({batch, seq, frames, c}).permute({0, 2, 1, 3}).reshape({batchFrames, seq, c});
}

TransformerSpatioTemporal TransformerSpatioTemporal::load(const Weights& w, int64_t channels, int64_t heads,
                                                          int64_t contextDim, int64_t layers) {
  TransformerSpatioTemporal t;
  t.channels_ = channels;
  t.norm_ = GroupNorm::load(w, "norm", channels, kGroups, kTransformerNormEps);
  t.projIn_ = Linear::load(w, "proj_in", channels, channels);
  t.projOut_ = Linear::load(w, "proj_out", channels, channels);
  t.posLinear1_ = Linear::load(w, "time_pos_embed.linear_1", channels * 4, channels);
  t.posLinear2_ = Linear::load(w, "time_pos_embed.linear_2", channels, channels * 4);
  for (int64_t i = 0; i < layers; ++i) {
    t.spatial_.push_back(BasicTransformerBlock::load(w.sub(sub("transformer_blocks.", i)), channels, contextDim,
                                                     heads, Upcast::No));
    t.temporal_.push_back(
        TemporalTransformerBlock::load(w.sub(sub("temporal_transformer_blocks.", i)), channels, contextDim, heads));
  }
  t.mixer_ = AlphaBlender::load(w, "time_mixer", BlendOrder::SpatialFirst);
  return t;
}

at::Tensor TransformerSpatioTemporal::operator()(const at::Tensor& x, const at::Tensor& context, int64_t frames) const {
  const int64_t batchFrames = x.size(0), c = x.size(1), height = x.size(2), width = x.size(3);
  const int64_t batch = batchFrames / frames, pixels = height * width;
  // 1. The temporal blocks see only the first frame's conditioning. diffusers lays it out pixel-major
  //    (H*W, B) while the hidden states are batch-major (B, H*W): row r gets batch item r % B. Kept as is.
  at::Tensor first = context.reshape({batch, frames, -1, context.size(-1)}).select(1, 0);  // (B, T, D)
  at::Tensor timeContext =
      first.unsqueeze(0).expand({pixels, batch, first.size(1), first.size(2)}).reshape({pixels * batch, first.size(1), first.size(2)});

  // 2. Spatial transformer per frame; temporal transformer (with a frame-index embedding) blended in.
  at::Tensor h = norm_(x).permute({0, 2, 3, 1}).reshape({batchFrames, pixels, c});
  h = projIn_(h);
  at::Tensor frameIds = at::arange(frames, at::TensorOptions().dtype(at::kLong).device(x.device())).repeat({batch});
  at::Tensor frameEmb = timestepEmbedding(frameIds, c, true, 0).to(h.scalar_type());
  frameEmb = posLinear2_(at::silu(posLinear1_(frameEmb))).unsqueeze(1);  // (B*F, 1, C)
  for (size_t i = 0; i < spatial_.size(); ++i) {
    h = spatial_[i](h, context);
    at::Tensor mixed = temporal_[i](h + frameEmb, frames, timeContext);
    h = mixer_(h, mixed);
  }
  h = projOut_(h);
  return h.reshape({batchFrames, height, width, c}).permute({0, 3, 1, 2}).contiguous() + x;
}

SvdUNet SvdUNet::load(const SvdUNetConfig& config, const Weights& w) {
  SvdUNet unet;
  unet.config_ = config;
  const auto& ch = config.blockOutChannels;
  const size_t levels = ch.size();
  const int64_t tembDim = ch[0] * 4;
  auto resnet = [&](const std::string& name, int64_t in, int64_t out, double eps = kResnetEps) {
    return SpatioTemporalResBlock::load(w.sub(name), {in, out, tembDim, eps, eps, BlendOrder::SpatialFirst});
  };
  auto transformer = [&](const std::string& name, int64_t channels, size_t level) {
    return TransformerSpatioTemporal::load(w.sub(name), channels, config.heads[level], config.crossAttentionDim,
                                           config.transformerLayers[level]);
  };
  unet.convIn_ = Conv2d::load(w, "conv_in", ch[0], config.inChannels, 3);
  unet.timeLinear1_ = Linear::load(w, "time_embedding.linear_1", tembDim, ch[0]);
  unet.timeLinear2_ = Linear::load(w, "time_embedding.linear_2", tembDim, tembDim);
  unet.addLinear1_ = Linear::load(w, "add_embedding.linear_1", tembDim, config.projectionInputDim);
  unet.addLinear2_ = Linear::load(w, "add_embedding.linear_2", tembDim, tembDim);

  int64_t out = ch[0];
  for (size_t i = 0; i < levels; ++i) {
    const int64_t in = out;
    out = ch[i];
    Level level;
    const std::string prefix = sub("down_blocks.", i);
    for (int64_t j = 0; j < config.layersPerBlock; ++j) {
      level.resnets.push_back(resnet(sub(prefix + "resnets.", j), j == 0 ? in : out, out,
                                     config.crossAttnDown[i] ? kCrossAttnDownEps : kResnetEps));
      if (config.crossAttnDown[i]) level.attentions.push_back(transformer(sub(prefix + "attentions.", j), out, i));
    }
    level.hasSample = i + 1 < levels;
    if (level.hasSample) level.down = Downsample::load(w.sub(prefix + "downsamplers.0."), out, DownsamplePad::Symmetric);
    unet.downLevels_.push_back(std::move(level));
  }
  unet.midResnet1_ = resnet("mid_block.resnets.0.", ch.back(), ch.back());
  unet.midAttention_ = transformer("mid_block.attentions.0.", ch.back(), levels - 1);
  unet.midResnet2_ = resnet("mid_block.resnets.1.", ch.back(), ch.back());

  out = ch.back();
  for (size_t i = 0; i < levels; ++i) {
    const size_t mirrored = levels - 1 - i;
    const int64_t prev = out;
    out = ch[mirrored];
    const int64_t skipIn = ch[mirrored == 0 ? 0 : mirrored - 1];
    Level level;
    const std::string prefix = sub("up_blocks.", i);
    for (int64_t j = 0; j <= config.layersPerBlock; ++j) {
      const int64_t skip = j == config.layersPerBlock ? skipIn : out;
      level.resnets.push_back(resnet(sub(prefix + "resnets.", j), (j == 0 ? prev : out) + skip, out, kUpResnetEps));
      if (config.crossAttnUp[i])
        level.attentions.push_back(transformer(sub(prefix + "attentions.", j), out, mirrored));
    }
    level.hasSample = i + 1 < levels;
    if (level.hasSample) level.up = Upsample::load(w.sub(prefix + "upsamplers.0."), out);
    unet.upLevels_.push_back(std::move(level));
  }
  unet.normOut_ = GroupNorm::load(w, "conv_norm_out", ch[0], kGroups, kResnetEps);
  unet.convOut_ = Conv2d::load(w, "conv_out", config.outChannels, ch[0], 3);
  return unet;
}

at::Tensor SvdUNet::forward(const at::Tensor& sampleIn, const at::Tensor& timestep, const at::Tensor& contextIn,
                            const at::Tensor& addedTimeIds) const {
  const auto type = dtype();
  const auto dev = device();
  const int64_t batch = sampleIn.size(0), frames = sampleIn.size(1);

  // 1. Time embedding + added time ids (each id embedded sinusoidally, concatenated, projected).
  at::Tensor t = timestep.to(dev).reshape({-1});
  if (t.numel() == 1) t = t.expand({batch});
  const int64_t ch0 = config_.blockOutChannels[0];
  at::Tensor temb = timeLinear2_(at::silu(timeLinear1_(timestepEmbedding(t, ch0, true, 0).to(type))));
  at::Tensor ids = addedTimeIds.to(dev).reshape({-1});
  at::Tensor added = timestepEmbedding(ids, config_.additionTimeEmbedDim, true, 0).reshape({batch, -1}).to(type);
  temb = temb + addLinear2_(at::silu(addLinear1_(added)));

  // 2. Frames join the batch: (B, F, C, h, w) -> (B*F, C, h, w); embeddings and context repeat per frame.
  at::Tensor h = convIn_(sampleIn.to(dev, type).flatten(0, 1));
  temb = temb.repeat_interleave(frames, 0);
  at::Tensor context = contextIn.to(dev, type).repeat_interleave(frames, 0);

  // 3. Down, middle, up, as the SD UNet, with temporal mixing inside every block.
  std::vector<at::Tensor> skips{h};
  for (const auto& level : downLevels_) {
    for (size_t j = 0; j < level.resnets.size(); ++j) {
      h = level.resnets[j](h, temb, frames);
      if (!level.attentions.empty()) h = level.attentions[j](h, context, frames);
      skips.push_back(h);
    }
    if (level.hasSample) {
      h = level.down(h);
      skips.push_back(h);
    }
  }
  h = midResnet2_(midAttention_(midResnet1_(h, temb, frames), context, frames), temb, frames);
  for (const auto& level : upLevels_) {
    for (size_t j = 0; j < level.resnets.size(); ++j) {
      h = level.resnets[j](at::cat({h, skips.back()}, 1), temb, frames);
      skips.pop_back();
      if (!level.attentions.empty()) h = level.attentions[j](h, context, frames);
    }
    if (level.hasSample) h = level.up(h, skips.back().sizes().slice(2));
  }

  // 4. Output, frames split out again.
  h = convOut_(at::silu(normOut_(h)));
  return h.reshape({batch, frames, h.size(1), h.size(2), h.size(3)});
}

}  // namespace lanterna::inference
