// Where a motion-stage training step's time goes on this CPU (2 threads, fp32): rendering the batch, encoding it
// with the frozen VAE, and the whole step (render, encode, UNetMotion forward and backward). The batch is the
// session-10 recipe's: 4 clips of 12 frames (the mean of 8-16), paired motions, 2 stills per clip, the adapter and
// the UNet's cross-attention keys and values training. Figures: docs/models/toyworld.md.
//   build/bench/motion_train_bench [--benchmark_min_time=1]
//   build/bench/motion_train_bench --profile [steps]      self time per ATen op
// LANTERNA_RESOURCES overrides the resources folder.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>

#include "op_profile.h"
#include "sd_loader.h"
#include "toy_dataset.h"
#include "toy_export.h"
#include "train_stage.h"

namespace {

using namespace lanterna;
using namespace lanterna::toy;

constexpr int kThreads = 2;
constexpr std::int64_t kClips = 4, kFrames = 12, kStills = 8;

// The source tree's bundled model (Qt's model library cannot be included beside ATen: its macros clash).
std::filesystem::path modelFolder() {
  const char* resources = std::getenv("LANTERNA_RESOURCES");
  return std::filesystem::path(resources ? resources : LANTERNA_RESOURCES_DEFAULT) / "models" / "toyworld";
}

Tokenize toyTokenize() {
  auto made = makeToyTokenize(modelFolder() / "tokenizer");
  return made ? std::move(*made) : Tokenize{};
}

ToyBatch renderStep(const ToyDataset& data, std::int64_t step) {
  ToyBatch batch = data.clipBatch(step, kClips, kFrames, /*paired=*/true);
  ToyBatch stills = data.imageBatch(step, kStills);
  batch.stillImages = std::move(stills.images);
  batch.stillTokenIds = std::move(stills.tokenIds);
  return batch;
}

void BM_MotionStep_Render(benchmark::State& state) {
  at::set_num_threads(kThreads);
  const ToyDataset data(0, Split::Train, toyTokenize());
  std::int64_t step = 0;
  for (auto _ : state) benchmark::DoNotOptimize(renderStep(data, ++step).images.data_ptr());
}
BENCHMARK(BM_MotionStep_Render)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MotionStep_RenderAndEncode(benchmark::State& state) {
  at::set_num_threads(kThreads);
  const ToyDataset data(0, Split::Train, toyTokenize());
  auto model = inference::loadStableDiffusion(modelFolder(), {});
  if (!model || !model->vae) {
    state.SkipWithError("the bundled toyworld model did not load");
    return;
  }
  c10::NoGradGuard noGrad;
  std::int64_t step = 0;
  for (auto _ : state) {
    const ToyBatch batch = renderStep(data, ++step);
    benchmark::DoNotOptimize(model->vae->encode(batch.images.flatten(0, 1)).mean.data_ptr());
    benchmark::DoNotOptimize(model->vae->encode(batch.stillImages).mean.data_ptr());
  }
}
BENCHMARK(BM_MotionStep_RenderAndEncode)->Unit(benchmark::kMillisecond)->UseRealTime();

// The session-10 recipe's stage around the bundled model, or an error message.
Result<std::unique_ptr<StageModel>> recipeStage(const Tokenize& tokenize) {
  StageInputs inputs;
  inputs.tokenize = tokenize;
  inputs.initFrom = modelFolder();
  inputs.motion = {.unetLearningRateScale = 1, .unetCrossAttentionOnly = true, .motionWeight = 4,
                   .givenFirstFrameShare = 1, .pairedMotions = true};
  return makeMotionStage(inputs);
}

float trainingStep(StageModel& stage, const ToyDataset& data, std::int64_t step) {
  at::Tensor loss = stage.loss(renderStep(data, step));
  loss.backward();  // gradients accumulate across steps: the optimizer's share of a step is left out
  return loss.item<float>();
}

void BM_MotionStep_Whole(benchmark::State& state) {
  at::set_num_threads(kThreads);
  const Tokenize tokenize = toyTokenize();
  auto stage = recipeStage(tokenize);
  if (!stage) {
    state.SkipWithError(stage.error().message.c_str());
    return;
  }
  const ToyDataset data(0, Split::Train, tokenize);
  trainingStep(**stage, data, 0);  // warm-up: first-call allocations
  std::int64_t step = 0;
  for (auto _ : state) benchmark::DoNotOptimize(trainingStep(**stage, data, ++step));
}
BENCHMARK(BM_MotionStep_Whole)->Unit(benchmark::kMillisecond)->UseRealTime();

// motion_train_bench --profile [steps]: self time per ATen op over whole steps, forward and backward.
int profileMode(int steps) {
  at::set_num_threads(kThreads);
  const Tokenize tokenize = toyTokenize();
  auto stage = recipeStage(tokenize);
  if (!stage) {
    std::fprintf(stderr, "%s\n", stage.error().message.c_str());
    return 1;
  }
  const ToyDataset data(0, Split::Train, tokenize);
  trainingStep(**stage, data, 0);
  const double started = bench::wallSeconds();
  bench::OpProfile profile;
  for (int step = 1; step <= steps; ++step) trainingStep(**stage, data, step);
  std::printf("%d motion training steps, %d threads: %.3f s wall per step (profiler on)\n\n", steps, kThreads,
              (bench::wallSeconds() - started) / steps);
  profile.print(steps);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--profile") return profileMode(argc > 2 ? std::atoi(argv[2]) : 3);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
