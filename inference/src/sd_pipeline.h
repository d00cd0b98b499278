// Stable Diffusion text-to-image and image-to-image over loaded components, as diffusers' pipelines compute it:
// prompt encoding (long prompts in 75-token chunks), seeded initial noise from ATen's CPU generator, batched
// classifier-free guidance, the chosen scheduler, a preview of the denoised estimate every step, VAE decode.
//   SdPipeline pipeline(std::move(components));
//   Result<GenerationOutput> out = pipeline.generate(request, observer, cancel);
// One run at a time per pipeline (schedulers keep per-run state); the caller's thread does the work.
#pragma once

#include <optional>
#include <vector>

#include <ATen/ATen.h>

#include "autoencoder_kl.h"
#include "clip_text_encoder.h"
#include "clip_tokenizer.h"
#include "latent_preview.h"
#include "lanterna/inference/engine.h"
#include "scheduler.h"
#include "unet2d_condition.h"

namespace lanterna::inference {

struct SdComponents {
  UNet2DCondition unet;
  AutoencoderKL vae;
  ClipTextEncoder textEncoder;
  ClipTokenizer tokenizer;
  nlohmann::json schedulerConfig;
  int baseClipSkip = 0;  // layers skipped before the user's clip skip (SD2 single files use the penultimate layer)
  LatentPreview preview;
};

// Intermediate tensors of a run, recorded for the conformance check of the whole pipeline.
struct DenoiseTrace {
  at::Tensor promptEmbeds;
  std::vector<at::Tensor> unetInputs, guidedNoise, latents;
  at::Tensor timesteps;
};

class SdPipeline {
 public:
  explicit SdPipeline(SdComponents components);

  Result<GenerationOutput> generate(const GenerationRequest& request, StepObserver* observer,
                                    const CancelToken& cancel);

  // The stages, public so the conformance runner drives the exact code generate() uses.
  // [2*, T, D]: unconditional rows first, then conditional (one row each when cfg is off).
  at::Tensor encodePrompts(const std::string& prompt, const std::string& negative, int clipSkip, bool withUncond);
  at::Tensor encodeIds(const at::Tensor& ids, int clipSkip) const;
  // Runs the scheduler loop from `latents` (already noised to step startIndex). Returns the final latents, or an
  // undefined tensor when cancelled.
  at::Tensor denoise(Scheduler& scheduler, StepNoise& noise, at::Tensor latents, const at::Tensor& context,
                     double cfgScale, int startIndex, StepObserver* observer, const CancelToken& cancel,
                     DenoiseTrace* trace = nullptr);
  // Latents in sampler space -> images in [0, 1], NCHW float32.
  at::Tensor decode(const at::Tensor& latents) const;
  double vaeScale() const { return components_.vae.config().scalingFactor; }
  SdComponents& components() { return components_; }

 private:
  at::Tensor predictOriginal(const at::Tensor& modelInput, const at::Tensor& modelOutput, double timestep) const;

  SdComponents components_;
  std::vector<double> alphasCumprod_;
  PredictionType prediction_ = PredictionType::Epsilon;
};

}  // namespace lanterna::inference
