// Opens a Stable Diffusion model (diffusers folder or single file) into a ready pipeline: device, precision and
// thread count chosen, tokenizer found, preview projection set up. Engine::open and the conformance runner of
// the whole pipeline both come through here, so a test exercises exactly what a user's model goes through.
#pragma once

#include <filesystem>

#include "lanterna/inference/engine.h"
#include "sd_pipeline.h"

namespace lanterna::inference {

Result<SdPipeline> openSdPipeline(const std::filesystem::path& model, const EngineOptions& options,
                                  EngineInfo& info);

}  // namespace lanterna::inference
