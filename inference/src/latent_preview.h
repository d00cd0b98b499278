// Cheap RGB previews of latents for the live step callback: a linear map from latent channels to RGB.
//   LatentPreview preview = LatentPreview::forArchitecture("sd1");
//   std::vector<Image> frames = preview.render(denoisedLatents);   // one image per batch item / frame
// Costs one small matmul per step (well under 1% of a UNet step). Thread-compatible (const after construction).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "lanterna/inference/engine.h"

namespace lanterna::inference {

class LatentPreview {
 public:
  LatentPreview() = default;
  // factors: [latentChannels, 3]; bias: [3]. The result is in [-1, 1] image space.
  LatentPreview(at::Tensor factors, at::Tensor bias);

  // Known projections for published VAEs ("sd1", "sd2" share the SD VAE latent space); nullopt when unknown.
  static std::optional<LatentPreview> forArchitecture(const std::string& architecture);
  // Least-squares fit from latents [N,C,h,w] to the matching images [N,3,H,W] (downsampled to h x w): used for VAEs
  // without a published projection (e.g. Lanterna's own toy models, fitted once at training time).
  static LatentPreview fit(const at::Tensor& latents, const at::Tensor& images);

  bool valid() const { return factors_.defined(); }
  // latents: [N, C, h, w] (unscaled model latents as the sampler holds them). Returns N images of h x w.
  std::vector<Image> render(const at::Tensor& latents, double latentScale = 1.0) const;
  const at::Tensor& factors() const { return factors_; }
  const at::Tensor& bias() const { return bias_; }

 private:
  at::Tensor factors_;
  at::Tensor bias_;
};

// [N,3,H,W] in [-1,1] (any float dtype/device) -> N RGB8 images.
std::vector<Image> tensorToImages(const at::Tensor& images);
// RGB8 image -> [1,3,H,W] float in [-1,1].
at::Tensor imageToTensor(const Image& image);

}  // namespace lanterna::inference
