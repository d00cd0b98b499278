#include "video_open.h"

#include "vae_preview.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>


namespace lanterna::inference {
namespace {

// Reference default output size of SVD and SVD-XT (landscape 16:9).
constexpr int kSvdWidth = 1024, kSvdHeight = 576;
constexpr double kSvdFps = 7.0;

int64_t bytesPerElement(const std::string& dtype) {
  if (dtype == "F16" || dtype == "BF16") return 2;
  if (dtype == "F32") return 4;
  return 0;
}


}  // namespace

bool isSvdModel(const std::filesystem::path& model) {
  auto info = inspectModel(model);
  return info && info->kind == ModelKind::SVD;
}

Result<SvdPipeline> openSvdPipeline(const std::filesystem::path& folder, const EngineOptions& options,
                                    EngineInfo& info) {
  auto load = engineLoadOptions(options);
  if (!load) return load.error();
  c10::InferenceMode inferenceMode;
  auto svd = loadStableVideoDiffusion(folder, *load);
  if (!svd) return svd.error();
  info.architecture = "svd";
  info.device = load->device.is_cuda() ? "cuda:0" : "cpu";
  info.precision = precisionName(load->dtype);
  info.supportsVideo = info.supportsImageToVideo = info.requiresImage = true;
  info.defaultFrames = static_cast<int>(svd->unet->config().numFrames);
  info.defaultFps = kSvdFps;
  info.defaultWidth = kSvdWidth;
  info.defaultHeight = kSvdHeight;
  // Test-sized models (a VAE trained below 512 px) default to their own square size.
  const auto vaeSize = svd->vaeConfig.value("sample_size", nlohmann::json());
  if (vaeSize.is_number_integer() && vaeSize.get<int>() < 512)
    info.defaultWidth = info.defaultHeight = vaeSize.get<int>();

  const int64_t stored = bytesPerElement(svd->info.dtype), loaded = at::elementSize(load->dtype);
  SvdComponents components{std::move(*svd->unet), std::move(*svd->vae), std::move(*svd->imageEncoder),
                           svd->schedulerConfig};
  components.weightBytes = static_cast<int64_t>(svd->info.sizeBytes) * (stored > 0 ? loaded : 1) /
                           (stored > 0 ? stored : 1);
  components.preview = previewForVae(components.vae, "sd1");
  return SvdPipeline(std::move(components));
}

Result<std::optional<LoadedMotionAdapter>> findMotionAdapter(const std::filesystem::path& model,
                                                             const EngineOptions& options, const LoadOptions& load) {
  std::filesystem::path path = options.motionModule;
  if (path.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(model / "motion_adapter", ec)) return std::optional<LoadedMotionAdapter>{};
    path = model / "motion_adapter";
  }
  if (!std::filesystem::exists(path))
    return makeError(ErrorKind::FileNotFound, "The motion module \"" + path.string() + "\" does not exist.", path);
  c10::InferenceMode inferenceMode;
  auto adapter = loadMotionAdapter(path, load);
  if (!adapter) return adapter.error();
  return std::optional<LoadedMotionAdapter>(std::move(*adapter));
}

}  // namespace lanterna::inference
