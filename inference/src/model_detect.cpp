#include "model_detect.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace lanterna::inference {
namespace {

bool has(const SafetensorsFile& file, const std::string& name) { return file.find(name) != nullptr; }

bool anyContains(const SafetensorsFile& file, const std::string& part) {
  return std::any_of(file.tensors().begin(), file.tensors().end(),
                     [&](const TensorInfo& t) { return t.name.find(part) != std::string::npos; });
}

bool anyStartsWith(const SafetensorsFile& file, const std::string& prefix) {
  return std::any_of(file.tensors().begin(), file.tensors().end(),
                     [&](const TensorInfo& t) { return t.name.rfind(prefix, 0) == 0; });
}

// Context width of the first cross-attention found (768: SD1 CLIP ViT-L, 1024: SD2 OpenCLIP ViT-H).
int64_t contextDim(const SafetensorsFile& file) {
  for (const auto& t : file.tensors())
    if (t.name.find("attn2.to_k.weight") != std::string::npos && t.shape.size() == 2) return t.shape[1];
  return 0;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

void setStableDiffusion(Detection& d, const SafetensorsFile& file, bool openClip) {
  const int64_t context = contextDim(file);
  const bool sd2 = openClip || context == 1024;
  if (sd2) {
    const bool v = hintsVPrediction(file);
    d.kind = v ? ModelKind::SD2VPrediction : ModelKind::SD2;
    d.predictionType = v ? "v_prediction" : "epsilon";
  } else {
    d.kind = ModelKind::SD1;
    d.predictionType = "epsilon";
  }
}

}  // namespace

bool hintsVPrediction(const SafetensorsFile& file) {
  const std::string name = lower(file.path().filename().string());
  for (const char* hint : {"v-pred", "vpred", "v_pred", "768-v", "768v", "-v.", "_v."})
    if (name.find(hint) != std::string::npos) return true;
  for (const auto& [key, value] : file.metadata()) {
    const std::string k = lower(key), v = lower(value);
    if (k.find("prediction_type") != std::string::npos || k.find("parameterization") != std::string::npos)
      if (v == "v" || v == "v_prediction" || v == "v-prediction") return true;
  }
  return false;
}

Detection detectSingleFile(const SafetensorsFile& file) {
  Detection d;
  const std::string unet = "model.diffusion_model.";
  if (anyStartsWith(file, "conditioner.embedders.") || has(file, unet + "label_emb.0.0.weight") ||
      has(file, "add_embedding.linear_1.weight")) {
    const bool svd = anyContains(file, "time_stack") || anyContains(file, "time_mixer");
    d.kind = svd ? ModelKind::SVD : ModelKind::SDXL;
    if (!svd) d.reason = "SDXL is not supported yet";
    if (anyStartsWith(file, unet) || has(file, "add_embedding.linear_1.weight")) d.components.push_back("unet");
    if (anyStartsWith(file, "first_stage_model.")) d.components.push_back("vae");
    if (svd) d.reason = "single-file SVD checkpoints are not supported yet: use the diffusers folder";
    return d;
  }
  if (anyContains(file, "motion_modules.")) {
    d.kind = ModelKind::MotionModule;
    d.components.push_back("motion_adapter");
    return d;
  }
  if (anyContains(file, "temporal_res_block") || anyContains(file, "time_mixer")) {
    d.kind = ModelKind::SVD;
    d.components.push_back("unet");
    return d;
  }
  if (has(file, unet + "input_blocks.0.0.weight")) {
    const bool openClip = anyStartsWith(file, "cond_stage_model.model.");
    setStableDiffusion(d, file, openClip);
    d.components.push_back("unet");
    if (anyStartsWith(file, "first_stage_model.")) d.components.push_back("vae");
    if (openClip || anyStartsWith(file, "cond_stage_model.transformer.")) d.components.push_back("text_encoder");
    if (!anyStartsWith(file, "first_stage_model."))
      d.reason = "the checkpoint has no VAE (first_stage_model.*): choose a separate VAE file";
    return d;
  }
  if (has(file, "conv_in.weight") && has(file, "time_embedding.linear_1.weight")) {
    setStableDiffusion(d, file, false);
    d.components.push_back("unet");
    return d;
  }
  if (has(file, "encoder.layers.0.weight") || has(file, "decoder.layers.0.weight")) {
    d.kind = ModelKind::TinyVae;
    d.components.push_back("vae");
    return d;
  }
  if ((has(file, "encoder.conv_in.weight") && has(file, "decoder.conv_in.weight")) ||
      has(file, "first_stage_model.decoder.conv_in.weight")) {
    d.kind = ModelKind::Vae;
    d.components.push_back("vae");
    return d;
  }
  if (has(file, "text_model.embeddings.token_embedding.weight")) {
    d.kind = ModelKind::ClipText;
    d.components.push_back("text_encoder");
    return d;
  }
  d.reason = "the tensor names match no architecture Lanterna knows";
  return d;
}

std::filesystem::path findComponentWeights(const std::filesystem::path& folder) {
  std::error_code ec;
  for (const char* name : {"diffusion_pytorch_model.safetensors", "model.safetensors",
                           "diffusion_pytorch_model.fp16.safetensors", "model.fp16.safetensors"})
    if (std::filesystem::is_regular_file(folder / name, ec)) return folder / name;
  std::vector<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
    if (entry.path().extension() == ".safetensors") found.push_back(entry.path());
  std::sort(found.begin(), found.end());
  return found.empty() ? std::filesystem::path{} : found.front();
}

std::string dominantDtype(const SafetensorsFile& file) {
  std::map<std::string, int64_t> bytes;
  for (const auto& t : file.tensors())
    if (t.dtype == DType::F16 || t.dtype == DType::BF16 || t.dtype == DType::F32 || t.dtype == DType::F64)
      bytes[dtypeName(t.dtype)] += static_cast<int64_t>(t.endBytes - t.beginBytes);
  if (bytes.empty()) return "";
  if (bytes.size() == 1) return bytes.begin()->first;
  return "mixed";
}

}  // namespace lanterna::inference
