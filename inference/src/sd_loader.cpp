#include "sd_loader.h"

#include <fstream>

#include <c10/util/Exception.h>

#include "checkpoint_convert.h"
#include "json_file.h"
#include "load_guard.h"
#include "model_detect.h"

namespace lanterna::inference {
namespace {

SafetensorsFile openOrThrow(const std::filesystem::path& path) {
  auto file = SafetensorsFile::open(path);
  if (!file) throw WeightsError(file.error().message);
  return std::move(*file);
}

nlohmann::json overrideFor(const LoadOptions& options, const char* component) {
  return options.overrides.is_object() && options.overrides.contains(component) ? options.overrides[component]
                                                                                : nlohmann::json::object();
}

void buildNetworks(LoadedModel& model, const Weights& unet, const Weights& vae) {
  model.unet = UNet2DCondition::load(UNetConfig::fromJson(model.unetConfig), unet);
  model.vae = AutoencoderKL::load(VaeConfig::fromJson(model.vaeConfig), vae);
}

void loadSingleFile(LoadedModel& model, const std::filesystem::path& path, const LoadOptions& options) {
  const SafetensorsFile file = openOrThrow(path);
  const Weights all = Weights::load(file, "", options.dtype, options.device);

  const Weights unet = convertLdmUNet(all.sub("model.diffusion_model."));
  const Weights vae = convertLdmVae(all.sub("first_stage_model."));
  std::string hiddenAct = "quick_gelu";
  if (all.has("cond_stage_model.transformer.text_model.embeddings.token_embedding.weight")) {
    model.textEncoder = convertLdmClip(all.sub("cond_stage_model.transformer."));
  } else if (all.has("cond_stage_model.model.token_embedding.weight")) {
    model.textEncoder = convertOpenClip(all.sub("cond_stage_model.model."));
    hiddenAct = "gelu";
  } else {
    throw WeightsError(quotedFileName(path) + " has no text encoder (cond_stage_model.*).");
  }

  nlohmann::json unetConfig = inferUNetConfig(unet);
  if (model.info.kind == ModelKind::SD2VPrediction) unetConfig["upcast_attention"] = true;  // SD2.1-v, as diffusers
  model.unetConfig = mergeConfig(unetConfig, overrideFor(options, "unet"));
  model.vaeConfig = mergeConfig(inferVaeConfig(vae), overrideFor(options, "vae"));
  model.textEncoderConfig = mergeConfig(inferClipConfig(model.textEncoder, hiddenAct), overrideFor(options, "text_encoder"));
  model.schedulerConfig = {{"prediction_type", model.info.predictionType}};
  buildNetworks(model, unet, vae);
}

Weights loadComponent(const std::filesystem::path& folder, const LoadOptions& options) {
  const auto path = findComponentWeights(folder);
  if (path.empty()) throw WeightsError("\"" + folder.filename().string() + "\" has no .safetensors weights.");
  return Weights::load(openOrThrow(path), "", options.dtype, options.device);
}

void loadFolder(LoadedModel& model, const std::filesystem::path& folder, const LoadOptions& options) {
  model.unetConfig = mergeConfig(readJsonFile(folder / "unet" / "config.json"), overrideFor(options, "unet"));
  model.vaeConfig = mergeConfig(readJsonFile(folder / "vae" / "config.json"), overrideFor(options, "vae"));
  model.textEncoderConfig =
      mergeConfig(readJsonFile(folder / "text_encoder" / "config.json"), overrideFor(options, "text_encoder"));
  model.schedulerConfig = readJsonFile(folder / "scheduler" / "scheduler_config.json");
  model.textEncoder = loadComponent(folder / "text_encoder", options);
  model.tokenizerFolder = folder / "tokenizer";
  // Older diffusers VAEs name the attention query/key/value/proj_attn; the converter normalises them.
  buildNetworks(model, loadComponent(folder / "unet", options), convertLdmVae(loadComponent(folder / "vae", options)));
}

}  // namespace

Result<LoadedModel> loadStableDiffusion(const std::filesystem::path& path, const LoadOptions& options) {
  auto info = inspectModel(path);
  if (!info) return info.error();
  if (!info->usable)
    return makeError(info->layout == ModelLayout::Pickle ? ErrorKind::FeatureUnsupported
                     : info->kind == ModelKind::Unknown ? ErrorKind::FormatIncorrect
                                                        : ErrorKind::FeatureUnsupported,
                     "Cannot load " + quotedFileName(path) + ": " + info->reason + ".", path);
  if (info->kind != ModelKind::SD1 && info->kind != ModelKind::SD2 && info->kind != ModelKind::SD2VPrediction)
    return makeError(ErrorKind::FeatureUnsupported,
                     "Cannot load " + quotedFileName(path) + " as a Stable Diffusion model: it is a " +
                         modelKindName(info->kind) + ".",
                     path);
  LoadedModel model;
  model.info = *info;
  return guardedLoad<LoadedModel>(path, [&] {
    if (info->layout == ModelLayout::DiffusersFolder)
      loadFolder(model, path, options);
    else
      loadSingleFile(model, path, options);
    return std::move(model);
  });
}

}  // namespace lanterna::inference
