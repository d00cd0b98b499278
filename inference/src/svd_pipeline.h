// Stable Video Diffusion image-to-video, as diffusers v0.25's StableVideoDiffusionPipeline computes it: the CLIP
// vision embedding of the image (antialiased resize to the encoder's size, CLIP mean/std), the VAE latent of the
// noise-augmented image concatenated to every frame's latents, the added time ids (fps - 1, motion bucket, noise
// augmentation), the scheduler config's EDM Euler sampler (v-prediction, c_in/c_skip/c_out, c_noise = log(sigma)/4)
// and classifier-free guidance ramped per frame from minGuidanceScale to maxGuidanceScale, whose unconditional
// branch sees zero image embeddings and zero image latents. The temporal VAE decodes a few frames at a time.
//   SvdPipeline svd(std::move(components));
//   if (auto refusal = svd.refuseIfTooLarge(request, budgetBytes)) return *refusal;
//   Result<GenerationOutput> clip = svd.generate(request, observer, cancel);   // request.initImage required
// Internal to inference/. One run at a time; the caller's thread does the work.
#pragma once

#include <optional>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "clip_vision_encoder.h"
#include "latent_preview.h"
#include "lanterna/inference/engine.h"
#include "svd_unet.h"
#include "svd_vae.h"
#include "video_sampling.h"

namespace lanterna::inference {

struct SvdComponents {
  SvdUNet unet;
  SvdVae vae;
  ClipVisionEncoder imageEncoder;
  nlohmann::json schedulerConfig;
  LatentPreview preview;
  int64_t weightBytes = 0;  // resident weights, for the memory estimate
};

struct SvdOptions {
  int64_t decodeChunkFrames = 7;  // the temporal decoder's activations at full resolution dominate memory
};

class SvdPipeline {
 public:
  explicit SvdPipeline(SvdComponents components, SvdOptions options = {});

  Result<GenerationOutput> generate(const GenerationRequest& request, StepObserver* observer,
                                    const CancelToken& cancel);

  // An OutOfMemory error with the estimate and a smaller setting that fits, when the run needs more than
  // budgetBytes (weights included); nullopt when it fits.
  std::optional<Error> refuseIfTooLarge(const GenerationRequest& request, int64_t budgetBytes) const;
  SvdRunShape runShape(const GenerationRequest& request) const;

  // The stages. image: (1, 3, H, W) in [-1, 1]. Returns the image embedding (1, 1, D).
  at::Tensor encodeImage(const at::Tensor& image) const;
  // Sampler latents (1, F, C, h, w) -> frames (F, 3, H, W) in [-1, 1]; empty when cancelled.
  at::Tensor decode(const at::Tensor& latents, const CancelToken& cancel) const;
  SvdComponents& components() { return components_; }

 private:
  SvdComponents components_;
  SvdOptions options_;
};

// diffusers' _resize_with_antialiasing: a Gaussian blur sized by the downscale factor (reflect padding), then
// bicubic with align_corners. image (N, C, H, W).
at::Tensor resizeWithAntialias(const at::Tensor& image, int64_t height, int64_t width);

// motionAmount 0..1 -> SVD's motion_bucket_id 1..255 (127 is the reference default, about 0.5).
double motionBucketId(double motionAmount);

}  // namespace lanterna::inference
