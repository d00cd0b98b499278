#include "lanterna/inference/model_info.h"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "model_detect.h"

namespace lanterna::inference {
namespace {

std::string quoted(const std::filesystem::path& path) { return "\"" + path.filename().string() + "\""; }

Result<nlohmann::json> readJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return makeError(ErrorKind::NoReadAccess, "Cannot read " + quoted(path) + ".", path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    return makeError(ErrorKind::FormatIncorrect, "Cannot load " + quoted(path) + ": invalid JSON (" + e.what() + ").",
                     path);
  }
}

void markUsable(ModelInfo& info) {
  info.usable = info.reason.empty() && info.kind != ModelKind::Unknown;
  if (!info.usable && info.reason.empty()) info.reason = "unknown model type";
}

Result<ModelInfo> inspectFile(const std::filesystem::path& path) {
  ModelInfo info;
  info.path = path;
  auto file = SafetensorsFile::open(path);
  if (!file) {
    if (file.error().kind != ErrorKind::FeatureUnsupported) return file.error();
    std::error_code ec;
    info.layout = ModelLayout::Pickle;
    info.sizeBytes = std::filesystem::file_size(path, ec);
    info.reason = "pickle checkpoint: convert to safetensors";
    return info;
  }
  info.layout = ModelLayout::SingleFile;
  info.sizeBytes = file->fileSizeBytes();
  info.dtype = dominantDtype(*file);
  Detection d = detectSingleFile(*file);
  info.kind = d.kind;
  info.components = d.components;
  info.predictionType = d.predictionType;
  info.reason = d.reason;
  markUsable(info);
  return info;
}

// Opens one component's weights (headers only) to add its size and dtype.
Status addComponent(ModelInfo& info, const std::filesystem::path& folder, const std::string& name) {
  const auto weights = findComponentWeights(folder);
  if (weights.empty()) {
    if (info.reason.empty())
      info.reason = "\"" + name + "\" has no .safetensors weights (pickle .bin files must be converted to safetensors)";
    return Ok{};
  }
  auto file = SafetensorsFile::open(weights);
  if (!file) return file.error();
  info.sizeBytes += file->fileSizeBytes();
  const std::string dtype = dominantDtype(*file);
  if (info.dtype.empty()) info.dtype = dtype;
  else if (!dtype.empty() && dtype != info.dtype) info.dtype = "mixed";
  info.components.push_back(name);
  return Ok{};
}

ModelKind kindFromUNetConfig(const nlohmann::json& unet, const std::string& prediction) {
  if (unet.contains("addition_embed_type") && !unet["addition_embed_type"].is_null()) return ModelKind::SDXL;
  const auto context = unet.value("cross_attention_dim", nlohmann::json(768));
  if (context.is_number_integer() && context.get<int64_t>() == 1024)
    return prediction == "v_prediction" ? ModelKind::SD2VPrediction : ModelKind::SD2;
  return ModelKind::SD1;
}

// A recommendation only: values that are missing, malformed or out of range are ignored.
void readRecommendation(const nlohmann::json& index, ModelInfo& info) {
  const auto defaults = index.find("_lanterna_defaults");
  if (defaults == index.end() || !defaults->is_object()) return;
  if (const auto cfg = defaults->find("guidance_scale"); cfg != defaults->end() && cfg->is_number()) {
    const double value = cfg->get<double>();
    if (value >= 1.0 && value <= 30.0) info.recommendedCfgScale = value;
  }
  if (const auto steps = defaults->find("num_inference_steps"); steps != defaults->end() && steps->is_number_integer()) {
    const int value = steps->get<int>();
    if (value >= 1 && value <= 200) info.recommendedSteps = value;
  }
}

Result<ModelInfo> inspectFolder(const std::filesystem::path& folder) {
  ModelInfo info;
  info.path = folder;
  info.layout = ModelLayout::DiffusersFolder;
  std::error_code ec;
  if (std::filesystem::exists(folder / "model_index.json", ec)) {
    auto index = readJson(folder / "model_index.json");
    if (!index) return index.error();
    const std::string pipeline = index->value("_class_name", "");
    readRecommendation(*index, info);
    for (const char* name : {"unet", "vae", "text_encoder"})
      if (std::filesystem::is_directory(folder / name, ec))
        if (auto status = addComponent(info, folder / name, name); !status) return status.error();
    for (const char* name : {"tokenizer", "scheduler"})
      if (std::filesystem::is_directory(folder / name, ec)) info.components.push_back(name);
    if (pipeline.find("XL") != std::string::npos) {
      info.kind = ModelKind::SDXL;
      info.reason = "SDXL is not supported yet";
    } else if (pipeline.find("VideoDiffusion") != std::string::npos) {
      info.kind = ModelKind::SVD;
    } else if (std::filesystem::exists(folder / "unet" / "config.json", ec)) {
      auto unet = readJson(folder / "unet" / "config.json");
      if (!unet) return unet.error();
      info.predictionType = "epsilon";
      if (auto scheduler = readJson(folder / "scheduler" / "scheduler_config.json"))
        info.predictionType = scheduler->value("prediction_type", "epsilon");
      info.kind = kindFromUNetConfig(*unet, info.predictionType);
      if (info.kind == ModelKind::SDXL) info.reason = "SDXL is not supported yet";
      for (const char* needed : {"unet", "vae", "text_encoder", "tokenizer", "scheduler"})
        if (info.reason.empty() &&
            std::find(info.components.begin(), info.components.end(), needed) == info.components.end())
          info.reason = std::string("the folder has no usable \"") + needed + "\" component";
    }
    markUsable(info);
    return info;
  }
  if (!std::filesystem::exists(folder / "config.json", ec))
    return makeError(ErrorKind::FormatIncorrect,
                     "Cannot load " + quoted(folder) + ": the folder has neither model_index.json nor config.json.",
                     folder);
  // A single component saved with save_pretrained().
  auto config = readJson(folder / "config.json");
  if (!config) return config.error();
  const std::string type = config->value("_class_name", "");
  if (type == "AutoencoderKL") info.kind = ModelKind::Vae;
  else if (type == "AutoencoderTiny") info.kind = ModelKind::TinyVae;
  else if (type == "MotionAdapter") info.kind = ModelKind::MotionModule;
  else if (type == "UNetSpatioTemporalConditionModel") info.kind = ModelKind::SVD;
  else if (type == "UNet2DConditionModel") info.kind = kindFromUNetConfig(*config, "epsilon");
  else if (config->value("model_type", "") == "clip_text_model") info.kind = ModelKind::ClipText;
  if (info.kind == ModelKind::SDXL) info.reason = "SDXL is not supported yet";
  const char* component = info.kind == ModelKind::ClipText       ? "text_encoder"
                          : info.kind == ModelKind::Vae || info.kind == ModelKind::TinyVae ? "vae"
                          : info.kind == ModelKind::MotionModule ? "motion_adapter"
                                                                 : "unet";
  if (auto status = addComponent(info, folder, component); !status) return status.error();
  markUsable(info);
  return info;
}

}  // namespace

const char* modelKindName(ModelKind kind) {
  switch (kind) {
    case ModelKind::Unknown: return "unknown";
    case ModelKind::SD1: return "Stable Diffusion 1.x";
    case ModelKind::SD2: return "Stable Diffusion 2.x";
    case ModelKind::SD2VPrediction: return "Stable Diffusion 2.x (v-prediction)";
    case ModelKind::SDXL: return "Stable Diffusion XL";
    case ModelKind::Vae: return "VAE";
    case ModelKind::TinyVae: return "TAESD (tiny VAE)";
    case ModelKind::MotionModule: return "AnimateDiff motion module";
    case ModelKind::SVD: return "Stable Video Diffusion";
    case ModelKind::ClipText: return "CLIP text encoder";
  }
  return "unknown";
}

Result<ModelInfo> inspectModel(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return makeError(ErrorKind::FileNotFound, "Cannot load " + quoted(path) + ": it does not exist.", path);
  if (std::filesystem::is_directory(path, ec)) return inspectFolder(path);
  return inspectFile(path);
}

}  // namespace lanterna::inference
