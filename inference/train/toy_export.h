// Stage "export": the trained vae and unet runs become the diffusers folder Lanterna ships (model_index.json; unet/,
// vae/, text_encoder/ with config.json + fp16 safetensors; tokenizer/; scheduler/). Usage:
//   Status done = exportToyModel("runs/vae", "runs/unet", "resources/models/toyworld");
//   Result<Tokenize> tokenize = makeToyTokenize("runs/unet/tokenizer");   // the engine's CLIP tokenizer, toy vocab
// Writes each file whole (the folder is created if needed); names the file that could not be read or written.
// Internal to inference/train.
#pragma once

#include <cstdint>
#include <filesystem>

#include "lanterna/result.h"
#include "toy_dataset.h"

namespace lanterna::toy {

// Writes the toy tokenizer files into dir and loads them with the engine's ClipTokenizer: captions -> 77 ids.
Result<Tokenize> makeToyTokenize(const std::filesystem::path& dir);

Status exportToyModel(const std::filesystem::path& vaeRun, const std::filesystem::path& unetRun,
                      const std::filesystem::path& outDir);

// Adds modelDir/motion_adapter (diffusers MotionAdapter: config.json + fp16 safetensors with the pos_embed tables)
// from the motion run's latest checkpoint, or, with motionRun empty, a fresh adapter whose proj_out are zero (it
// leaves every frame as the image model draws it), and rewrites model_index.json as an AnimateDiffPipeline. A run that
// trained the image UNet too (--unet-lr-scale) also replaces modelDir/unet with its UNet. averageCheckpoints > 1
// exports the mean of the run's latest checkpoint and those saved before it (an error if it saved fewer).
Status exportToyMotionAdapter(const std::filesystem::path& motionRun, const std::filesystem::path& modelDir,
                              std::uint64_t seed = 1, int averageCheckpoints = 1);

}  // namespace lanterna::toy
