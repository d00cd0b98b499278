// What a model file or folder is, before loading it: architecture, components, dtype, size, and whether Lanterna
// can use it (and why not). Usage:
//   auto info = inspectModel("~/models/dreamshaper_8.safetensors");   // Result<ModelInfo>
//   if (info && !info->usable) show(info->reason);                     // e.g. "SDXL is not supported yet"
// Reads headers and config files only (no tensor data); safe to call from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lanterna/result.h"

namespace lanterna::inference {

enum class ModelKind {
  Unknown,
  SD1,              // Stable Diffusion 1.x (CLIP ViT-L, 768-wide context)
  SD2,              // Stable Diffusion 2.x, epsilon prediction (512 base)
  SD2VPrediction,   // Stable Diffusion 2.x, v-prediction (768-v)
  SDXL,             // recognised, not supported yet
  Vae,              // AutoencoderKL alone
  TinyVae,          // TAESD (AutoencoderTiny)
  MotionModule,     // AnimateDiff motion adapter
  SVD,              // Stable Video Diffusion
  ClipText,         // CLIP text encoder alone
};

enum class ModelLayout { Unset, SingleFile, DiffusersFolder, Pickle };

struct ModelInfo {
  std::filesystem::path path;
  ModelLayout layout = ModelLayout::Unset;
  ModelKind kind = ModelKind::Unknown;
  std::vector<std::string> components;  // "unet", "vae", "text_encoder", "tokenizer", "scheduler", ...
  std::string dtype;                    // dominant floating dtype, e.g. "F16"; "mixed" when several
  std::uint64_t sizeBytes = 0;          // file size, or the sum of a folder's weight files
  bool usable = false;
  std::string reason;                   // why not usable (empty when usable)
  std::string predictionType;           // "epsilon" or "v_prediction" for SD models
  // What a diffusers folder recommends (model_index.json "_lanterna_defaults": guidance_scale,
  // num_inference_steps); 0 when it says nothing usable.
  double recommendedCfgScale = 0.0;
  int recommendedSteps = 0;
};

const char* modelKindName(ModelKind kind);

// A .safetensors file or a diffusers folder (model_index.json, or a single component with config.json).
// Errors: missing path, unreadable or corrupt files. A recognised but unsupported model is a ModelInfo with
// usable == false and a reason.
Result<ModelInfo> inspectModel(const std::filesystem::path& fileOrFolder);

}  // namespace lanterna::inference
