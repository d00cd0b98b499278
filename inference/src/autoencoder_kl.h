// AutoencoderKL (diffusers v0.25), the SD VAE: encode image [-1,1] -> latent distribution, decode latent -> image.
// scaling_factor is NOT applied here (pipelines multiply after encode and divide before decode).
//   AutoencoderKL vae = AutoencoderKL::load(VaeConfig::fromJson(json), weights);
//   at::Tensor latent = vae.encode(image).mean * vae.config().scalingFactor;
//   at::Tensor image = vae.decodeTiled(latent / vae.config().scalingFactor);   // large sizes, bounded memory
// Internal to inference/. Read-only after loading.
#pragma once

#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "resnet_block.h"
#include "weights.h"

namespace lanterna::inference {

struct VaeConfig {
  int64_t inChannels = 3;
  int64_t outChannels = 3;
  std::vector<int64_t> blockOutChannels{128, 256, 512, 512};
  int64_t layersPerBlock = 2;
  int64_t latentChannels = 4;
  int64_t normGroups = 32;
  int64_t sampleSize = 512;
  double scalingFactor = 0.18215;
  bool forceUpcast = true;

  static VaeConfig fromJson(const nlohmann::json& config);
  int64_t downscale() const { return int64_t{1} << (blockOutChannels.size() - 1); }
};

struct LatentDistribution {
  at::Tensor moments;  // quant_conv output, 2*latent channels
  at::Tensor mean;
  at::Tensor logvar;   // clamped to [-30, 20]
  at::Tensor std() const { return (logvar * 0.5).exp(); }
};

// Single-head self-attention of the VAE mid block, with its own GroupNorm and residual.
class VaeAttention {
 public:
  static VaeAttention load(const Weights& w, int64_t channels, int64_t groups);
  at::Tensor operator()(const at::Tensor& x) const;

 private:
  GroupNorm norm_;
  Linear toQ_, toK_, toV_, toOut_;
};

struct TileOptions {
  int64_t tileLatent = 64;    // latent tile edge (diffusers: sample_size / 8)
  int64_t overlapLatent = 16; // latent overlap between tiles; blended linearly in pixel space
};

// SVD's AutoencoderKLTemporalDecoder shares the SD encoder but has its own decoder: load the encoder alone.
enum class VaeParts { EncoderAndDecoder, EncoderOnly };

class AutoencoderKL {
 public:
  static AutoencoderKL load(const VaeConfig& config, const Weights& weights,
                            VaeParts parts = VaeParts::EncoderAndDecoder);
  bool hasDecoder() const { return decConvOut_.weight.defined(); }
  LatentDistribution encode(const at::Tensor& image) const;
  at::Tensor decode(const at::Tensor& latent) const;
  // Decodes overlapping tiles and cross-fades the overlaps, so memory stays bounded and no seams show.
  at::Tensor decodeTiled(const at::Tensor& latent, const TileOptions& options = {}) const;
  const VaeConfig& config() const { return config_; }
  at::ScalarType dtype() const { return quantConv_.weight.scalar_type(); }
  at::Device device() const { return quantConv_.weight.device(); }

 private:
  struct Level {
    std::vector<ResnetBlock> resnets;
    bool hasSample = false;  // downsampler (encoder) or upsampler (decoder)
    Downsample down;
    Upsample up;
  };
  struct Mid {
    ResnetBlock resnet1, resnet2;
    VaeAttention attention;
    at::Tensor operator()(const at::Tensor& x) const { return resnet2(attention(resnet1(x))); }
  };

  VaeConfig config_;
  Conv2d encConvIn_, encConvOut_, quantConv_, postQuantConv_, decConvIn_, decConvOut_;
  std::vector<Level> encLevels_, decLevels_;
  Mid encMid_, decMid_;
  GroupNorm encNormOut_, decNormOut_;
};

}  // namespace lanterna::inference
