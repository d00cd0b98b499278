// Recognises a model's architecture from tensor names and shapes (single files) or config files (diffusers folders).
//   Detection d = detectSingleFile(file);   // kind, components, prediction type, reason when unusable
// Internal to inference/ (the public entry point is inspectModel in model_info.h). Pure; thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lanterna/inference/model_info.h"
#include "lanterna/inference/safetensors.h"

namespace lanterna::inference {

struct Detection {
  ModelKind kind = ModelKind::Unknown;
  std::vector<std::string> components;
  std::string predictionType;
  std::string reason;  // set when the model is recognised but cannot be used
};

Detection detectSingleFile(const SafetensorsFile& file);

// The weights file of one diffusers component folder (e.g. unet/): prefers full precision, then .fp16, then any
// .safetensors. Empty when the folder has none (pickle-only folders included).
std::filesystem::path findComponentWeights(const std::filesystem::path& folder);

// "F16", "F32", ... for the floating tensors of a file; "mixed" when several, "" when none.
std::string dominantDtype(const SafetensorsFile& file);

// v-prediction hints in a single file's name or metadata (SD2 768-v checkpoints do not say so in their tensors).
bool hintsVPrediction(const SafetensorsFile& file);

}  // namespace lanterna::inference
