#include "svd_vae.h"

#include <algorithm>

namespace lanterna::inference {
namespace {

constexpr int64_t kGroups = 32;
constexpr double kSpatialEps = 1e-6;
constexpr double kTemporalEps = 1e-5;  // diffusers passes temporal_eps=1e-5 to the decoder's temporal resnets

std::string sub(const std::string& prefix, size_t i) { return prefix + std::to_string(i) + "."; }

}  // namespace

SvdVae SvdVae::load(const VaeConfig& config, const Weights& w) {
  SvdVae vae;
  vae.config_ = config;
  vae.encoder_ = AutoencoderKL::load(config, w, VaeParts::EncoderOnly);
  const auto& ch = config.blockOutChannels;
  const size_t levels = ch.size();
  auto resnet = [&](const std::string& name, int64_t in, int64_t out) {
    return SpatioTemporalResBlock::load(w.sub(name), {in, out, 0, kSpatialEps, kTemporalEps, BlendOrder::Switched});
  };
  vae.convIn_ = Conv2d::load(w, "decoder.conv_in", ch.back(), config.latentChannels, 3);
  for (int64_t j = 0; j < config.layersPerBlock; ++j)
    vae.midResnets_.push_back(resnet(sub("decoder.mid_block.resnets.", j), ch.back(), ch.back()));
  // diffusers builds one attention but zips it with resnets[1:]: with a single mid resnet it never runs.
  if (config.layersPerBlock > 1)
    vae.midAttentions_.push_back(VaeAttention::load(w.sub("decoder.mid_block.attentions.0."), ch.back(), kGroups));
  int64_t out = ch.back();
  for (size_t i = 0; i < levels; ++i) {
    const int64_t prev = out;
    out = ch[levels - 1 - i];
    Level level;
    const std::string prefix = sub("decoder.up_blocks.", i);
    for (int64_t j = 0; j <= config.layersPerBlock; ++j)
      level.resnets.push_back(resnet(sub(prefix + "resnets.", j), j == 0 ? prev : out, out));
    level.hasUpsample = i + 1 < levels;
    if (level.hasUpsample) level.up = Upsample::load(w.sub(prefix + "upsamplers.0."), out);
    vae.levels_.push_back(std::move(level));
  }
  vae.normOut_ = GroupNorm::load(w, "decoder.conv_norm_out", ch[0], kGroups, kSpatialEps);
  vae.convOut_ = Conv2d::load(w, "decoder.conv_out", config.outChannels, ch[0], 3);
  vae.timeConvOut_ = TemporalConv::load(w, "decoder.time_conv_out", config.outChannels, config.outChannels);
  return vae;
}

at::Tensor SvdVae::decodeFrames(const at::Tensor& latents, int64_t frames) const {
  at::Tensor h = convIn_(latents.to(device(), dtype()));
  h = midResnets_.front()(h, {}, frames);
  for (size_t j = 1; j < midResnets_.size(); ++j) {
    if (j - 1 < midAttentions_.size()) h = midAttentions_[j - 1](h);
    h = midResnets_[j](h, {}, frames);
  }
  for (const auto& level : levels_) {
    for (const auto& resnet : level.resnets) h = resnet(h, {}, frames);
    if (level.hasUpsample) h = level.up(h);
  }
  h = convOut_(at::silu(normOut_(h)));
  const int64_t batchFrames = h.size(0), c = h.size(1), height = h.size(2), width = h.size(3);
  at::Tensor video = h.reshape({batchFrames / frames, frames, c, height, width}).permute({0, 2, 1, 3, 4});
  return timeConvOut_(video).permute({0, 2, 1, 3, 4}).reshape({batchFrames, c, height, width});
}

at::Tensor SvdVae::decode(const at::Tensor& latents, int64_t frames, int64_t chunkFrames) const {
  if (frames <= 0 || latents.size(0) % frames != 0)
    throw WeightsError("SVD VAE decode: " + std::to_string(latents.size(0)) + " latents are not a multiple of " +
                       std::to_string(frames) + " frames");
  const int64_t total = latents.size(0);
  if (chunkFrames <= 0 || chunkFrames >= total) return decodeFrames(latents, frames);
  // As the pipeline: chunks of the flat (B*F) axis, each decoded as its own clip of chunk-length frames.
  std::vector<at::Tensor> parts;
  for (int64_t start = 0; start < total; start += chunkFrames) {
    const int64_t n = std::min(chunkFrames, total - start);
    parts.push_back(decodeFrames(latents.slice(0, start, start + n), n));
  }
  return at::cat(parts, 0);
}

}  // namespace lanterna::inference
