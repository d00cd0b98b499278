// Training checkpoints on disk: a folder per save with model.safetensors (the weights, bit-exact), state.json (step,
// settings, last loss) and the optimizer's own file, plus outDir/latest.json naming the newest folder.
// Internal to inference/train. Not safe for two writers on one outDir.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "lanterna/result.h"

namespace lanterna::toy {

// How a run weighs its loss and draws its data: a resume with other choices would be another run. Checkpoints
// written before 2026-11-24 do not record them, so a resume from one cannot check them.
struct LossChoices {
  double minSnrGamma = 0;      // unet, motion
  double motionWeight = 0;     // motion: the moving pixels' extra weight
  double highNoiseWeight = 0;  // motion: the cap of the high-noise clip weights (0: none)
  bool pairedMotions = false;  // motion: every second clip is the counterpart of the one before
  std::int64_t clipPool = 0;   // motion: clips drawn from the first N only (0: the whole split)
  bool firstFrameStills = false;  // motion: the clips' first frames trained as stills with their captions
  std::int64_t firstFrameNoise = 0;  // motion: the given first frames noised to a timestep up to this
};

struct CheckpointState {
  std::string stage;
  std::int64_t step = 0;
  std::uint64_t seed = 0;
  std::int64_t batch = 0;
  double learningRate = 0;
  double unetLearningRateScale = 0;  // motion stage: the image UNet's share of the rate (0: frozen)
  double givenFirstFrameShare = 0;   // motion stage: clips trained with a clean first frame (image-to-video)
  bool unetCrossAttentionOnly = false;  // motion stage: of the image UNet, only its cross-attention keys and values
  bool firstFrameAttention = false;     // motion stage: frames' self-attention also reads their first frame
  std::optional<LossChoices> lossChoices;  // absent in older checkpoints
  double loss = 0;
};

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

constexpr const char* kOptimizerFile = "optimizer.pt";
constexpr const char* kModelFile = "model.safetensors";

std::filesystem::path checkpointDir(const std::filesystem::path& outDir, std::int64_t step);

// Writes weights and state into checkpointDir(outDir, state.step); latest.json is updated by markLatest().
Status saveCheckpoint(const std::filesystem::path& dir, const NamedTensors& parameters, const CheckpointState& state);
Status markLatest(const std::filesystem::path& outDir, const std::filesystem::path& dir, std::int64_t step);

// The folder latest.json names; FileNotFound when there is nothing to resume.
Result<std::filesystem::path> latestCheckpoint(const std::filesystem::path& outDir);
Result<CheckpointState> readCheckpointState(const std::filesystem::path& dir);
// The latest checkpoint and the count - 1 saved before it, oldest first; an error naming the run if it saved fewer.
Result<std::vector<std::filesystem::path>> recentCheckpoints(const std::filesystem::path& outDir, int count);
// The mean of the checkpoints' weights, in fp32: the late checkpoints of a run averaged (latest weight averaging)
// give a smoother model than any one of them. Each must hold the same names and shapes as the first.
Result<NamedTensors> averageCheckpointWeights(const std::vector<std::filesystem::path>& dirs);
// Copies the saved weights into parameters (same names and shapes, or an error naming the first mismatch).
Status loadCheckpointWeights(const std::filesystem::path& dir, const NamedTensors& parameters);

// Copies trained weights (fp16 or fp32) from a safetensors file into the parameters under prefix, so a run starts
// from them. Stored names lack the prefix (an exported component) or keep it (a training checkpoint).
enum class StoredNames { WithoutPrefix, WithPrefix };
Status copyWeights(const std::filesystem::path& file, const std::string& prefix, const NamedTensors& parameters,
                   StoredNames stored = StoredNames::WithoutPrefix);

}  // namespace lanterna::toy
