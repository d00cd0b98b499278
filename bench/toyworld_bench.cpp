// The bundled toyworld model on the CPU, fp32, 2 threads: the whole generation of one 128x128 demo image (euler,
// 20 steps, CFG 5) with the model already open, and with opening it included (what `lanterna-cli generate --model
// toyworld` pays per call). The target: "under a few seconds" on 2 cores. Figures: docs/models/toyworld.md.
//   build/bench/toyworld_bench [--benchmark_min_time=1]   (LANTERNA_RESOURCES overrides the resources folder)
#include <string>

#include <benchmark/benchmark.h>
#include <ATen/Parallel.h>

#include "lanterna/app/model_library.h"
#include "lanterna/inference/engine.h"

namespace {

using namespace lanterna::inference;

constexpr int kThreads = 2;

// The model library's bundled folder (the source tree's resources/, or $LANTERNA_RESOURCES).
std::string modelFolder() { return lanterna::app::ModelLibrary::bundledModelsFolder().toStdString() + "/toyworld"; }

EngineOptions cpuOptions() {
  EngineOptions options;
  options.device = Device::Cpu;
  return options;
}

GenerationRequest demoRequest(int step) {
  GenerationRequest request;
  request.prompt = "a big red circle at the top left and a small blue square in the center on a white background";
  request.sampler = "euler";
  request.steps = 20;
  request.cfgScale = 5.0;
  request.seed = static_cast<std::uint64_t>(step + 1);
  request.width = request.height = 128;
  return request;
}

void generateOne(Engine& engine, benchmark::State& state, int step) {
  CancelToken never;
  auto output = engine.generate(demoRequest(step), nullptr, never);
  if (!output) state.SkipWithError(output.error().message.c_str());
  else benchmark::DoNotOptimize(output->frames.front().rgb.data());
}

void BM_ToyworldImage_Open_Excluded(benchmark::State& state) {
  at::set_num_threads(kThreads);
  auto engine = Engine::open(modelFolder(), cpuOptions());
  if (!engine) {
    state.SkipWithError(engine.error().message.c_str());
    return;
  }
  generateOne(*engine, state, 0);  // warm-up: first-call allocations
  int step = 0;
  for (auto _ : state) generateOne(*engine, state, ++step);
}
BENCHMARK(BM_ToyworldImage_Open_Excluded)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ToyworldImage_Open_Included(benchmark::State& state) {
  at::set_num_threads(kThreads);
  int step = 0;
  for (auto _ : state) {
    auto engine = Engine::open(modelFolder(), cpuOptions());
    if (!engine) {
      state.SkipWithError(engine.error().message.c_str());
      return;
    }
    generateOne(*engine, state, ++step);
  }
}
BENCHMARK(BM_ToyworldImage_Open_Included)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
