#include "autoencoder_kl.h"

#include "cpu_block_cache.h"

#include <algorithm>
#include <optional>

namespace lanterna::inference {
namespace {

constexpr double kVaeEps = 1e-6;

std::string sub(const std::string& prefix, size_t i) { return prefix + std::to_string(i) + "."; }

// Linear cross-fade weights 0, 1/n, ..., (n-1)/n along one axis, shaped to broadcast over (B, C, H, W).
at::Tensor rampWeights(int64_t n, int64_t dim, const at::Tensor& like) {
  at::Tensor ramp = at::arange(n, like.options()).div_(static_cast<double>(n));
  return dim == 2 ? ramp.view({1, 1, n, 1}) : ramp.view({1, 1, 1, n});
}

// Blends the leading edge of `tile` (along dim) with the trailing edge of `previous`, in place.
void blendEdge(const at::Tensor& previous, at::Tensor& tile, int64_t dim, int64_t extent) {
  extent = std::min({extent, previous.size(dim), tile.size(dim)});
  if (extent <= 0) return;
  at::Tensor w = rampWeights(extent, dim, tile);
  at::Tensor prevEdge = previous.narrow(dim, previous.size(dim) - extent, extent);
  at::Tensor edge = tile.narrow(dim, 0, extent);
  edge.copy_(prevEdge * (1 - w) + edge * w);
}

}  // namespace

VaeConfig VaeConfig::fromJson(const nlohmann::json& json) {
  VaeConfig c;
  c.inChannels = json.value("in_channels", 3);
  c.outChannels = json.value("out_channels", 3);
  c.blockOutChannels = json.at("block_out_channels").get<std::vector<int64_t>>();
  for (const auto& type : json.value("down_block_types", std::vector<std::string>{}))
    if (type != "DownEncoderBlock2D") throw WeightsError("VAE config: down block \"" + type + "\" is not supported.");
  for (const auto& type : json.value("up_block_types", std::vector<std::string>{}))
    if (type != "UpDecoderBlock2D") throw WeightsError("VAE config: up block \"" + type + "\" is not supported.");
  c.layersPerBlock = json.value("layers_per_block", 1);
  c.latentChannels = json.value("latent_channels", 4);
  c.normGroups = json.value("norm_num_groups", 32);
  c.sampleSize = json.value("sample_size", 512);
  c.scalingFactor = json.value("scaling_factor", 0.18215);
  c.forceUpcast = json.value("force_upcast", true);
  return c;
}

VaeAttention VaeAttention::load(const Weights& w, int64_t channels, int64_t groups) {
  VaeAttention a;
  a.norm_ = GroupNorm::load(w, "group_norm", channels, groups, kVaeEps);
  a.toQ_ = Linear::load(w, "to_q", channels, channels);
  a.toK_ = Linear::load(w, "to_k", channels, channels);
  a.toV_ = Linear::load(w, "to_v", channels, channels);
  a.toOut_ = Linear::load(w, "to_out.0", channels, channels);
  return a;
}

at::Tensor VaeAttention::operator()(const at::Tensor& x) const {
  const int64_t batch = x.size(0), c = x.size(1), height = x.size(2), width = x.size(3);
  at::Tensor h = norm_(x).view({batch, c, height * width}).transpose(1, 2);
  h = toOut_(multiHeadAttention(toQ_(h), toK_(h), toV_(h), 1));
  return h.transpose(1, 2).reshape({batch, c, height, width}) + x;
}

AutoencoderKL AutoencoderKL::load(const VaeConfig& config, const Weights& w, VaeParts parts) {
  AutoencoderKL vae;
  vae.config_ = config;
  const auto& ch = config.blockOutChannels;
  const size_t levels = ch.size();
  const int64_t groups = config.normGroups;
  const int64_t latent = config.latentChannels;
  auto resnet = [&](const std::string& name, int64_t in, int64_t out) {
    return ResnetBlock::load(w.sub(name), {in, out, 0, groups, kVaeEps});
  };
  auto mid = [&](const std::string& prefix, int64_t c) {
    return Mid{resnet(prefix + "resnets.0.", c, c), resnet(prefix + "resnets.1.", c, c),
               VaeAttention::load(w.sub(prefix + "attentions.0."), c, groups)};
  };

  // The NHWC VAE keeps dense convolution weights (see CpuKernels::channelsLastVae). An encoder a txt2img run never
  // uses then also stays on disk instead of resident in packed form.
  const bool nhwc = cpuKernels().channelsLastVae;
  std::optional<DenseConvWeightsScope> dense;
  if (nhwc) dense.emplace();

  // Encoder.
  vae.encConvIn_ = Conv2d::load(w, "encoder.conv_in", ch[0], config.inChannels, 3);
  int64_t out = ch[0];
  for (size_t i = 0; i < levels; ++i) {
    const int64_t in = out;
    out = ch[i];
    Level level;
    const std::string prefix = sub("encoder.down_blocks.", i);
    for (int64_t j = 0; j < config.layersPerBlock; ++j)
      level.resnets.push_back(resnet(sub(prefix + "resnets.", j), j == 0 ? in : out, out));
    level.hasSample = i + 1 < levels;
    if (level.hasSample) level.down = Downsample::load(w.sub(prefix + "downsamplers.0."), out, DownsamplePad::RightBottom);
    vae.encLevels_.push_back(std::move(level));
  }
  vae.encMid_ = mid("encoder.mid_block.", ch.back());
  vae.encNormOut_ = GroupNorm::load(w, "encoder.conv_norm_out", ch.back(), groups, kVaeEps);
  vae.encConvOut_ = Conv2d::load(w, "encoder.conv_out", 2 * latent, ch.back(), 3);
  vae.quantConv_ = Conv2d::load(w, "quant_conv", 2 * latent, 2 * latent, 1);

  if (parts == VaeParts::EncoderOnly) return vae;

  // Decoder: channels in reversed order.
  vae.postQuantConv_ = Conv2d::load(w, "post_quant_conv", latent, latent, 1);
  vae.decConvIn_ = Conv2d::load(w, "decoder.conv_in", ch.back(), latent, 3);
  vae.decMid_ = mid("decoder.mid_block.", ch.back());
  out = ch.back();
  for (size_t i = 0; i < levels; ++i) {
    const int64_t prev = out;
    out = ch[levels - 1 - i];
    Level level;
    const std::string prefix = sub("decoder.up_blocks.", i);
    for (int64_t j = 0; j <= config.layersPerBlock; ++j)
      level.resnets.push_back(resnet(sub(prefix + "resnets.", j), j == 0 ? prev : out, out));
    level.hasSample = i + 1 < levels;
    if (level.hasSample)
      level.up = Upsample::load(w.sub(prefix + "upsamplers.0."), out, nhwc ? SubPixel::Yes : SubPixel::No);
    vae.decLevels_.push_back(std::move(level));
  }
  vae.decNormOut_ = GroupNorm::load(w, "decoder.conv_norm_out", ch[0], groups, kVaeEps);
  vae.decConvOut_ = Conv2d::load(w, "decoder.conv_out", config.outChannels, ch[0], 3);
  return vae;
}

LatentDistribution AutoencoderKL::encode(const at::Tensor& image) const {
  std::optional<CpuBlockCacheScope> cache;
  if (cpuKernels().cpuBlockCache && device().is_cpu()) cache.emplace();
  at::Tensor h = encConvIn_(image.to(device(), dtype()));
  const bool nhwc = cpuKernels().channelsLastVae && h.is_cpu() && h.scalar_type() == at::kFloat;
  if (nhwc) h = h.contiguous(at::MemoryFormat::ChannelsLast);
  for (const auto& level : encLevels_) {
    for (const auto& resnet : level.resnets) h = resnet(h);
    if (level.hasSample) h = level.down(h);
  }
  h = encConvOut_(encNormOut_.withSilu(encMid_(h), InPlace::Yes));
  LatentDistribution dist;
  dist.moments = quantConv_(h).contiguous();
  auto halves = dist.moments.chunk(2, 1);
  dist.mean = halves[0];
  dist.logvar = halves[1].clamp(-30.0, 20.0);
  return dist;
}

at::Tensor AutoencoderKL::decode(const at::Tensor& latent) const {
  if (!hasDecoder()) throw WeightsError("this VAE was loaded without its decoder");
  std::optional<CpuBlockCacheScope> cache;
  if (cpuKernels().cpuBlockCache && device().is_cpu()) cache.emplace();
  at::Tensor h = decConvIn_(postQuantConv_(latent.to(device(), dtype())));
  const bool nhwc = cpuKernels().channelsLastVae && h.is_cpu() && h.scalar_type() == at::kFloat;
  if (nhwc) h = h.contiguous(at::MemoryFormat::ChannelsLast);  // every later op keeps this layout
  h = decMid_(h);
  for (const auto& level : decLevels_) {
    for (const auto& resnet : level.resnets) h = resnet(h);
    if (level.hasSample) h = level.up(h);
  }
  at::Tensor image = decConvOut_(decNormOut_.withSilu(h, InPlace::Yes));
  return nhwc ? image.contiguous() : image;
}

at::Tensor AutoencoderKL::decodeTiled(const at::Tensor& latent, const TileOptions& options) const {
  const int64_t tile = std::max<int64_t>(1, options.tileLatent);
  const int64_t overlap = std::clamp<int64_t>(options.overlapLatent, 0, tile - 1);
  const int64_t height = latent.size(2), width = latent.size(3);
  if (height <= tile && width <= tile) return decode(latent);
  const int64_t stride = tile - overlap;
  const int64_t scale = config_.downscale();
  const int64_t blend = overlap * scale;   // pixels cross-faded between neighbours
  const int64_t keep = stride * scale;     // pixels each tile contributes

  std::vector<std::vector<at::Tensor>> rows;
  for (int64_t y = 0; y < height; y += stride) {
    std::vector<at::Tensor> row;
    for (int64_t x = 0; x < width; x += stride) {
      row.push_back(decode(latent.slice(2, y, std::min(height, y + tile)).slice(3, x, std::min(width, x + tile))));
      if (x + tile >= width) break;
    }
    rows.push_back(std::move(row));
    if (y + tile >= height) break;
  }
  std::vector<at::Tensor> outRows;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::vector<at::Tensor> pieces;
    for (size_t c = 0; c < rows[r].size(); ++c) {
      at::Tensor& current = rows[r][c];
      if (r > 0) blendEdge(rows[r - 1][c], current, 2, blend);
      if (c > 0) blendEdge(rows[r][c - 1], current, 3, blend);
      // The last tile of a row/column reaches the edge, so it keeps everything it decoded.
      const int64_t keepH = r + 1 < rows.size() ? keep : current.size(2);
      const int64_t keepW = c + 1 < rows[r].size() ? keep : current.size(3);
      pieces.push_back(current.slice(2, 0, keepH).slice(3, 0, keepW));
    }
    outRows.push_back(at::cat(pieces, 3));
  }
  return at::cat(outRows, 2);
}

}  // namespace lanterna::inference
