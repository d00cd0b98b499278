// Opens a Stable Diffusion 1.x/2.x model in either layout — a diffusers folder or an original single .safetensors —
// and returns the built UNet and VAE (weights in the chosen dtype/device, borrowed from the mmap when the dtype
// already matches) plus the text encoder's weights under HF names ("text_model.*") and its config.
//   LoadOptions options; options.dtype = at::kHalf; options.device = at::kCUDA;
//   Result<LoadedModel> model = loadStableDiffusion("dreamshaper_8.safetensors", options);
// Internal to inference/. Loading is single-threaded; the returned networks are read-only.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "autoencoder_kl.h"
#include "lanterna/inference/model_info.h"
#include "lanterna/result.h"
#include "unet2d_condition.h"
#include "weights.h"

namespace lanterna::inference {

struct LoadOptions {
  at::ScalarType dtype = at::kFloat;
  at::Device device = at::kCPU;
  // Replaces inferred config values, per component: {"unet": {...}, "vae": {...}, "text_encoder": {...}}.
  // Single files do not record heads or group counts; real SD models need no override.
  nlohmann::json overrides = nlohmann::json::object();
};

struct LoadedModel {
  ModelInfo info;
  std::optional<UNet2DCondition> unet;
  std::optional<AutoencoderKL> vae;
  Weights textEncoder;                // HF CLIPTextModel names: "text_model.*", "text_projection.weight"
  nlohmann::json textEncoderConfig;   // HF CLIPTextConfig terms
  nlohmann::json unetConfig, vaeConfig, schedulerConfig;
  std::filesystem::path tokenizerFolder;  // diffusers folders only
};

Result<LoadedModel> loadStableDiffusion(const std::filesystem::path& fileOrFolder, const LoadOptions& options = {});

}  // namespace lanterna::inference
