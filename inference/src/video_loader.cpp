#include "video_loader.h"

#include <fstream>

#include <c10/util/Exception.h>

#include "checkpoint_convert.h"
#include "json_file.h"
#include "load_guard.h"
#include "model_detect.h"

namespace lanterna::inference {
namespace {

Weights loadWeightsFile(const std::filesystem::path& path, const LoadOptions& options) {
  auto file = SafetensorsFile::open(path);
  if (!file) throw WeightsError(file.error().message);
  return Weights::load(*file, "", options.dtype, options.device);
}

std::filesystem::path componentWeights(const std::filesystem::path& folder) {
  auto path = findComponentWeights(folder);
  if (path.empty()) throw WeightsError(quotedFileName(folder) + " has no .safetensors weights");
  return path;
}

nlohmann::json overrideFor(const LoadOptions& options, const char* component) {
  return options.overrides.is_object() && options.overrides.contains(component) ? options.overrides[component]
                                                                                : nlohmann::json::object();
}

// Shared error translation: the engine throws inside, the edge returns an Error naming the file.

Result<ModelInfo> inspectAs(const std::filesystem::path& path, ModelKind kind) {
  auto info = inspectModel(path);
  if (!info) return info.error();
  if (info->kind != kind)
    return makeError(ErrorKind::FeatureUnsupported,
                     "Cannot load " + quotedFileName(path) + " as a " + modelKindName(kind) + ": it is a " +
                         modelKindName(info->kind) + ".",
                     path);
  if (!info->usable)
    return makeError(ErrorKind::FeatureUnsupported, "Cannot load " + quotedFileName(path) + ": " + info->reason + ".", path);
  return info;
}

}  // namespace

Result<LoadedMotionAdapter> loadMotionAdapter(const std::filesystem::path& path, const LoadOptions& options) {
  auto info = inspectAs(path, ModelKind::MotionModule);
  if (!info) return info.error();
  return guardedLoad<LoadedMotionAdapter>(path, [&] {
    LoadedMotionAdapter adapter;
    adapter.info = *info;
    const bool folder = info->layout == ModelLayout::DiffusersFolder;
    adapter.weights = loadWeightsFile(folder ? componentWeights(path) : path, options);
    adapter.weights.setSource(path.filename().string());
    adapter.convertedFromOriginal = convertOriginalMotionKeys(adapter.weights);
    nlohmann::json config = folder ? readJsonFile(path / "config.json") : nlohmann::json::object();
    if (!folder) {  // bare file: shapes give channels and depths; heads/groups keep the published 8/32
      const MotionAdapterConfig inferred = MotionAdapterConfig::infer(adapter.weights);
      config = {{"block_out_channels", inferred.blockOutChannels},
                {"motion_layers_per_block", inferred.layersPerBlock},
                {"motion_mid_block_layers_per_block", inferred.midLayers},
                {"motion_max_seq_length", inferred.maxSequence},
                {"use_motion_mid_block", inferred.midBlock}};
    }
    adapter.config = MotionAdapterConfig::fromJson(mergeConfig(config, overrideFor(options, "motion_adapter")));
    return adapter;
  });
}

SvdUNet loadSvdUNet(const std::filesystem::path& file, const nlohmann::json& config, const LoadOptions& options) {
  return SvdUNet::load(SvdUNetConfig::fromJson(config), loadWeightsFile(file, options));
}

SvdVae loadSvdVae(const std::filesystem::path& file, const nlohmann::json& config, const LoadOptions& options) {
  return SvdVae::load(VaeConfig::fromJson(config), loadWeightsFile(file, options));
}

ClipVisionEncoder loadClipVision(const std::filesystem::path& file, const nlohmann::json& config,
                                 const LoadOptions& options) {
  return ClipVisionEncoder::load(ClipVisionConfig::fromJson(config), loadWeightsFile(file, options));
}

Result<LoadedSvd> loadStableVideoDiffusion(const std::filesystem::path& folder, const LoadOptions& options) {
  auto info = inspectAs(folder, ModelKind::SVD);
  if (!info) return info.error();
  if (info->layout != ModelLayout::DiffusersFolder || !std::filesystem::exists(folder / "model_index.json"))
    return makeError(ErrorKind::FeatureUnsupported,
                     "Cannot load " + quotedFileName(folder) + ": Stable Video Diffusion loads from its diffusers folder "
                     "(model_index.json, unet/, vae/, image_encoder/).", folder);
  for (const char* component : {"unet", "vae", "image_encoder", "scheduler"})
    if (!std::filesystem::is_directory(folder / component))
      return makeError(ErrorKind::FormatIncorrect,
                       "Cannot load " + quotedFileName(folder) + ": the Stable Video Diffusion folder has no \"" + component +
                           "\" component.",
                       folder);
  return guardedLoad<LoadedSvd>(folder, [&] {
    LoadedSvd svd;
    svd.info = *info;
    svd.unetConfig = mergeConfig(readJsonFile(folder / "unet" / "config.json"), overrideFor(options, "unet"));
    svd.vaeConfig = mergeConfig(readJsonFile(folder / "vae" / "config.json"), overrideFor(options, "vae"));
    svd.imageEncoderConfig =
        mergeConfig(readJsonFile(folder / "image_encoder" / "config.json"), overrideFor(options, "image_encoder"));
    svd.schedulerConfig = readJsonFile(folder / "scheduler" / "scheduler_config.json");
    svd.unet = loadSvdUNet(componentWeights(folder / "unet"), svd.unetConfig, options);
    svd.vae = loadSvdVae(componentWeights(folder / "vae"), svd.vaeConfig, options);
    svd.imageEncoder = loadClipVision(componentWeights(folder / "image_encoder"), svd.imageEncoderConfig, options);
    return svd;
  });
}

}  // namespace lanterna::inference
