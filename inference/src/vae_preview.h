// The live-preview projection for a VAE's latents: the published SD-VAE projection where the VAE has SD's shape,
// otherwise one fitted on the spot by encoding a few smooth colour fields (a few hundred milliseconds for the largest
// VAE, once per load). Works for AutoencoderKL and the SVD VAE alike (config() and encode(images).mean).
//   components.preview = previewForVae(vae, "sd1");
// Internal to inference/.
#pragma once

#include <string>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "latent_preview.h"

namespace lanterna::inference {

template <class Vae>
LatentPreview previewForVae(const Vae& vae, const std::string& architecture) {
  const auto& config = vae.config();
  const bool standardSdVae =
      config.latentChannels == 4 && config.blockOutChannels.size() == 4 && config.blockOutChannels.back() == 512;
  if (standardSdVae)
    if (auto known = LatentPreview::forArchitecture(architecture)) return *known;
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(1234);
  const int64_t side = 8 * config.downscale();
  at::Tensor coarse = at::rand({8, 3, 3, 3}, generator, at::kFloat) * 2 - 1;
  at::Tensor images = at::upsample_bilinear2d(coarse, {side, side}, true);
  at::Tensor latents =
      vae.encode(images.to(vae.device(), vae.dtype())).mean.to(at::kFloat).cpu() * config.scalingFactor;
  return LatentPreview::fit(latents, images);
}

}  // namespace lanterna::inference
