// The training loop shared by every stage: seeded init, deterministic batches, Adam, a progress line, checkpoints
// every K steps (weights as safetensors, step and settings as JSON, optimizer state beside them) and resume.
//   TrainOptions options{.stage = Stage::Vae, .outDir = "runs/vae", .steps = 4000};
//   Result<TrainReport> report = runTraining(options, tokenize, [](const std::string& line) { puts(line.c_str()); });
// Layout of outDir: checkpoint-000120/{model.safetensors, optimizer.pt, state.json}, latest.json -> newest one.
// The random draws of step s (noise, timesteps, dropout) come from a generator seeded with (seed, s), so a resumed
// run repeats a straight one.
// One training run per process at a time: it seeds ATen's global generator.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "lanterna/result.h"
#include "toy_dataset.h"
#include "train_stage.h"

namespace lanterna::toy {

enum class Resume { No, Yes };

struct TrainOptions {
  Stage stage = Stage::Unset;
  std::filesystem::path outDir;
  std::int64_t steps = 1000;  // the total, counting steps done before a resume
  std::int64_t batch = 4;
  double learningRate = 1e-3;
  std::uint64_t seed = 0;
  Resume resume = Resume::No;  // continue from outDir/latest.json; its settings and loss choices must match
  std::int64_t checkpointEvery = 500;
  std::int64_t logEvery = 10;
  ComputeDevice device = ComputeDevice::Cpu;
  std::filesystem::path vaeRun;  // unet stage: the vae stage's outDir (or a diffusers vae folder)
  // Learning rate: linear warmup over warmupSteps, then constant, or with cosine down to 10% at the last step.
  std::int64_t warmupSteps = 0;
  bool cosineDecay = false;
  // unet stage (see StageInputs): the latent cache, the one-shape curriculum, Min-SNR loss weights.
  std::int64_t cacheScenes = 0;
  std::int64_t cacheClips = 0;
  std::int64_t singleShapeSteps = 0;
  double minSnrGamma = 0;
  std::filesystem::path initFrom;  // unet stage: continue from an exported model's weights instead of a fresh init
  std::filesystem::path textEncoderRun;  // unet stage: the text stage's run; its encoder is used frozen
  MotionStageOptions motion;
};

// The learning rate of step (1-based) under the options' warmup and decay.
double learningRateAt(const TrainOptions& options, std::int64_t step);

struct TrainReport {
  std::int64_t startStep = 0;  // steps already done when this run began
  std::int64_t endStep = 0;
  std::vector<float> losses;   // one per step run here
  std::filesystem::path lastCheckpoint;
  std::vector<std::pair<std::string, at::Tensor>> parameters;  // as they were saved last
};

using ProgressSink = std::function<void(const std::string& line)>;

Result<TrainReport> runTraining(const TrainOptions& options, const Tokenize& tokenize = {},
                                const ProgressSink& progress = {});

// "step 120/4000  loss 0.0312  2.1 it/s  ETA 31:02"
std::string formatProgress(std::int64_t step, std::int64_t total, double loss, double itemsPerSecond);

}  // namespace lanterna::toy
