// Loads the video models: an AnimateDiff motion adapter (diffusers MotionAdapter folder or file, or an original
// guoyww mm_sd_v15*.safetensors with "temporal_transformer" keys) and a Stable Video Diffusion diffusers folder
// (unet/, vae/, image_encoder/, scheduler/).
//   auto adapter = loadMotionAdapter("mm_sd_v15_v2.safetensors");              // Result<LoadedMotionAdapter>
//   UNetMotion unet = UNetMotion::load(std::move(*sd->unet), adapter->config, adapter->weights);
//   auto svd = loadStableVideoDiffusion("stable-video-diffusion-img2vid-xt");  // Result<LoadedSvd>
// Internal to inference/. Loading is single-threaded; the returned networks are read-only.
#pragma once

#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "clip_vision_encoder.h"
#include "lanterna/inference/model_info.h"
#include "lanterna/result.h"
#include "sd_loader.h"
#include "svd_unet.h"
#include "svd_vae.h"
#include "unet_motion.h"

namespace lanterna::inference {

struct LoadedMotionAdapter {
  ModelInfo info;
  MotionAdapterConfig config;
  Weights weights;               // diffusers MotionAdapter names
  bool convertedFromOriginal = false;
};

// options.overrides["motion_adapter"] replaces config values (bare files carry no heads/group counts).
Result<LoadedMotionAdapter> loadMotionAdapter(const std::filesystem::path& fileOrFolder,
                                              const LoadOptions& options = {});

struct LoadedSvd {
  ModelInfo info;
  std::optional<SvdUNet> unet;
  std::optional<SvdVae> vae;
  std::optional<ClipVisionEncoder> imageEncoder;
  nlohmann::json unetConfig, vaeConfig, imageEncoderConfig, schedulerConfig;
};

Result<LoadedSvd> loadStableVideoDiffusion(const std::filesystem::path& folder, const LoadOptions& options = {});

// The per-component steps of loadStableVideoDiffusion (throw WeightsError), for callers holding one component.
SvdUNet loadSvdUNet(const std::filesystem::path& weightsFile, const nlohmann::json& config, const LoadOptions& options);
SvdVae loadSvdVae(const std::filesystem::path& weightsFile, const nlohmann::json& config, const LoadOptions& options);
ClipVisionEncoder loadClipVision(const std::filesystem::path& weightsFile, const nlohmann::json& config,
                                 const LoadOptions& options);

}  // namespace lanterna::inference
