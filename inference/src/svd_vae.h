// AutoencoderKLTemporalDecoder (diffusers v0.25), SVD's VAE: the SD encoder (+ quant_conv) and a decoder whose
// resnets mix neighbouring frames, ending in a (3,1,1) Conv3d over time. No post_quant_conv. Scaling factor not
// applied here. Internal to inference/. Read-only after loading.
//   SvdVae vae = SvdVae::load(VaeConfig::fromJson(json), weights);
//   at::Tensor mean = vae.encode(image).mean;                  // image (N, 3, H, W) in [-1, 1]
//   at::Tensor frames = vae.decode(latents, 14, 7);            // latents (B*F, 4, h, w), in chunks of 7 frames
#pragma once

#include <optional>
#include <vector>

#include <ATen/ATen.h>

#include "autoencoder_kl.h"
#include "spatio_temporal_res_block.h"

namespace lanterna::inference {

class SvdVae {
 public:
  static SvdVae load(const VaeConfig& config, const Weights& weights);
  LatentDistribution encode(const at::Tensor& image) const { return encoder_->encode(image); }
  // latents (B*F, C, h, w) with F = frames; decodes chunkFrames frames at a time (0: all at once), as the
  // SVD pipeline's decode_chunk_size does: the temporal layers see only frames within a chunk.
  at::Tensor decode(const at::Tensor& latents, int64_t frames, int64_t chunkFrames = 0) const;
  const VaeConfig& config() const { return config_; }
  at::ScalarType dtype() const { return convIn_.weight.scalar_type(); }
  at::Device device() const { return convIn_.weight.device(); }

 private:
  at::Tensor decodeFrames(const at::Tensor& latents, int64_t frames) const;

  struct Level {
    std::vector<SpatioTemporalResBlock> resnets;
    bool hasUpsample = false;
    Upsample up;
  };
  VaeConfig config_;
  std::optional<AutoencoderKL> encoder_;
  Conv2d convIn_, convOut_;
  std::vector<SpatioTemporalResBlock> midResnets_;
  std::vector<VaeAttention> midAttentions_;  // run between consecutive mid resnets (none with one resnet)
  std::vector<Level> levels_;
  GroupNorm normOut_;
  TemporalConv timeConvOut_;
};

}  // namespace lanterna::inference
