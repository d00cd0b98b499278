#include "train_stage.h"

namespace lanterna::toy {

const char* stageName(Stage stage) {
  switch (stage) {
    case Stage::Unset: return "unset";
    case Stage::Vae: return "vae";
    case Stage::Text: return "text";
    case Stage::Unet: return "unet";
    case Stage::Motion: return "motion";
  }
  return "unset";
}

Stage parseStage(const std::string& name) {
  for (Stage stage : {Stage::Vae, Stage::Text, Stage::Unet, Stage::Motion})
    if (name == stageName(stage)) return stage;
  return Stage::Unset;
}

Result<std::unique_ptr<StageModel>> makeStageModel(Stage stage, const StageInputs& inputs) {
  switch (stage) {
    case Stage::Vae: return makeVaeStage(inputs);
    case Stage::Text: return makeTextStage(inputs);
    case Stage::Unet: return makeUNetStage(inputs);
    case Stage::Motion: return makeMotionStage(inputs);
    case Stage::Unset: break;
  }
  return makeError(ErrorKind::InvalidArgument, "No training stage was given (use vae, text, unet or motion).");
}

at::Tensor signalToNoise(const at::Tensor& alphasCumprod) { return alphasCumprod / (1.0 - alphasCumprod); }

at::Tensor noisePredictionLoss(const at::Tensor& predicted, const at::Tensor& noise, const at::Tensor& alphasCumprod,
                               const at::Tensor& timesteps, double minSnrGamma, const at::Tensor& pixelWeights) {
  std::vector<std::int64_t> perSample;
  for (std::int64_t d = 1; d < predicted.dim(); ++d) perSample.push_back(d);
  at::Tensor squared = (predicted - noise).pow(2);
  if (pixelWeights.defined()) squared = squared * pixelWeights;
  const at::Tensor error = squared.mean(perSample);
  if (minSnrGamma <= 0) return error.mean();
  const at::Tensor snr = signalToNoise(alphasCumprod).index_select(0, timesteps);
  return (error * at::clamp_max(snr, minSnrGamma) / snr).mean();
}

at::Tensor highNoiseClipWeights(const at::Tensor& alphasCumprod, const at::Tensor& timesteps, double maxWeight) {
  const at::Tensor weights = at::clamp(1.0 / signalToNoise(alphasCumprod), 1.0, maxWeight);
  return weights.index_select(0, timesteps) / weights.mean();
}

}  // namespace lanterna::toy
