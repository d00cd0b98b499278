// Opens the video models behind Engine::open: a Stable Video Diffusion folder into an SvdPipeline, and the
// AnimateDiff motion adapter that turns an SD 1.x model into a clip maker (EngineOptions::motionModule, or the
// motion_adapter/ folder of a diffusers AnimateDiffPipeline layout).
//   auto svd = openSvdPipeline("stable-video-diffusion-img2vid-xt", options, info);   // Result<SvdPipeline>
//   auto adapter = findMotionAdapter("models/toyworld", options, load);    // Result<optional<LoadedMotionAdapter>>
// Internal to inference/. Loading is single-threaded.
#pragma once

#include <filesystem>
#include <optional>

#include "lanterna/inference/engine.h"
#include "sd_loader.h"
#include "svd_pipeline.h"
#include "video_loader.h"

namespace lanterna::inference {

// Device, dtype and thread count from the engine options (defined with Engine::open).
Result<LoadOptions> engineLoadOptions(const EngineOptions& options);
std::string precisionName(at::ScalarType dtype);

bool isSvdModel(const std::filesystem::path& model);
Result<SvdPipeline> openSvdPipeline(const std::filesystem::path& folder, const EngineOptions& options,
                                    EngineInfo& info);

// options.motionModule when set, else `model`/motion_adapter when it exists; nullopt when neither.
Result<std::optional<LoadedMotionAdapter>> findMotionAdapter(const std::filesystem::path& model,
                                                             const EngineOptions& options, const LoadOptions& load);

}  // namespace lanterna::inference
