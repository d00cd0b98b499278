// The shapes of the bundled "toyworld" model, as diffusers/transformers config.json dicts: an SD1-style pipeline,
// shrunk until a full training run fits in about an hour on two CPU cores. Usage:
//   VaeConfig vae = VaeConfig::fromJson(toyVaeConfig(scalingFactor));
//   nlohmann::json index = toyModelIndex();     // model_index.json of the exported folder
// 128x128 images, a factor-4 VAE (32x32x4 latents), a 3-level UNet and a 2-layer, 64-wide CLIP text encoder over
// the toy vocabulary. Pure functions; any thread.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace lanterna::toy {

constexpr double kToyLatentScaleUnset = 1.0;

nlohmann::json toyVaeConfig(double scalingFactor = kToyLatentScaleUnset);
nlohmann::json toyUNetConfig();
// vocabSize includes <|startoftext|> and <|endoftext|>, the last two ids.
nlohmann::json toyTextEncoderConfig(std::int64_t vocabSize);
// SD1.5's: scaled_linear 0.00085..0.012 over 1000 steps, epsilon prediction.
nlohmann::json toySchedulerConfig();
// model_index.json: StableDiffusionPipeline, or AnimateDiffPipeline listing motion_adapter when the folder has one.
nlohmann::json toyModelIndex(bool withMotionAdapter = false);
// The AnimateDiff motion adapter for toyUNetConfig(): diffusers MotionAdapter, one module per UNet resnet.
nlohmann::json toyMotionAdapterConfig();

}  // namespace lanterna::toy
