// AnimateDiff text-to-video over an SD1.x pipeline and a motion UNet: the SD pipeline's prompt encoding, seeded
// noise and VAE; the motion UNet denoises every frame of the clip at once, (B*F) frames inside the UNet, in
// sliding 16-frame context windows blended where they overlap when the clip is longer than the motion module's
// window. Every step reports a preview of every frame. With request.initImage, image-to-video: the first frame's
// latent is pinned to the image's (noised to each step's level while sampling, clean at the end); an adapter that
// declares cleanFirstFrame is given that frame clean, at timestep 0, at every step instead, and makes text-to-video
// from a keyframe: the image pipeline's picture for the prompt and seed, then image-to-video from it (steps and
// previews of both passes are reported as one run). The keyframe's prompt leaves out the adapter's motion phrases.
//   AnimateDiffPipeline video(sdPipeline, motionUnet);
//   Result<GenerationOutput> clip = video.generate(request, observer, cancel);   // request.frames frames
// Internal to inference/. One run at a time; the caller's thread does the work. Borrows both models.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <string>
#include <vector>

#include "sd_pipeline.h"
#include "unet_motion.h"

namespace lanterna::inference {

struct AnimateDiffOptions {
  int64_t contextFrames = 16;   // frames per UNet call; AnimateDiff v1.5 modules were trained on 16
  int64_t contextOverlap = 4;   // frames shared by consecutive windows
  int64_t decodeChunkFrames = 8;  // VAE decode this many frames at a time
};

// The prompt of text-to-video's keyframe: `prompt` without the adapter's motion phrases (whole words only), its
// spaces and commas tidied. "a red circle at the left moving right on black" -> "a red circle at the left on black".
// A phrase with keyframe words has them said instead, where an adjective of the noun before it goes, unless the
// prompt says them already: with {"growing": "small"}, "a red circle growing" -> "a small red circle", since a clip
// that grows starts small.
std::string keyframePrompt(const std::string& prompt, const std::vector<std::string>& motionPhrases,
                           const std::map<std::string, std::string>& keyframeWords = {});

class AnimateDiffPipeline {
 public:
  AnimateDiffPipeline(SdPipeline& sd, const UNetMotion& unet, AnimateDiffOptions options = {});

  Result<GenerationOutput> generate(const GenerationRequest& request, StepObserver* observer,
                                    const CancelToken& cancel);

  // Guided noise prediction for the whole clip. latents (F, C, h, w) in sampler space (already scaled for the
  // model); context [2 or 1, T, D] with the unconditional row first. Returns (F, C, h, w). With cleanFirstFrame,
  // frame 0 is a clean latent that the UNet sees at timestep 0 (its prediction is not used).
  at::Tensor predictNoise(const at::Tensor& latents, double timestep, const at::Tensor& context, double cfgScale,
                          bool cleanFirstFrame = false) const;
  // The image's latent (1, C, h, w) in sampler space, resized to width x height first when needed.
  at::Tensor encodeImage(const Image& image, int width, int height) const;

 private:
  at::Tensor denoisedEstimate(const at::Tensor& modelInput, const at::Tensor& noisePrediction, double t) const;
  static at::Tensor withFirstFrame(const at::Tensor& first, const at::Tensor& latents);
  // The training schedule's alpha-bar at a (possibly fractional) timestep.
  double alphaAt(double t) const;
  // What the model should predict at t for a frame whose clean latent and noise are known.
  at::Tensor knownTarget(const at::Tensor& clean, const at::Tensor& noise, double t) const;

  SdPipeline& sd_;
  const UNetMotion& unet_;
  AnimateDiffOptions options_;
  std::vector<double> alphasCumprod_;
  PredictionType prediction_ = PredictionType::Epsilon;
};

}  // namespace lanterna::inference
