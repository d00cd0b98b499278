// Full-size video UNets on the CPU, fp32, 2 threads, random (synthesized) weights with the published names and
// shapes: one denoising step of the AnimateDiff motion UNet (SD1.5 + a v1.5 motion adapter, 16 frames) and of the
// SVD UNet (14 frames), both at 128x128 (16x16 latents) without guidance so a step stays under a minute on this
// machine, and each run's peak RSS against the engine's memory estimate for that run. Each case runs in a fresh
// child process so its peak is its own. Figures and how to read them: docs/performance.md.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include <benchmark/benchmark.h>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include "memory_estimate.h"
#include "svd_unet.h"
#include "unet_motion.h"
#include "video_sampling.h"

namespace {

namespace fs = std::filesystem;
using namespace lanterna::inference;

constexpr int kThreads = 2;
constexpr int64_t kSide = 128, kLatent = kSide / 8;
constexpr int64_t kAnimateDiffFrames = 16, kSvdFrames = 14;

double residentBytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

struct StepResult {
  double stepSeconds = 0, stepCpuSeconds = 0, weightBytes = 0, estimateBytes = 0;
};

double cpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Wall and CPU seconds: on the shared machine the wall time depends on the load, the CPU time much less.
template <class Step>
void timed(StepResult& result, Step step) {
  const auto start = std::chrono::steady_clock::now();
  const double cpuStart = cpuSeconds();
  step();
  result.stepCpuSeconds = cpuSeconds() - cpuStart;
  result.stepSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

StepResult animateDiffStep() {
  const double before = residentBytes();
  UNet2DCondition sd = UNet2DCondition::load(UNetConfig{}, Weights::synthesizing(at::kFloat, at::kCPU, 1));
  // The motion module loader counts transformer blocks by name; name the first of each so synthesis fills the rest.
  Weights adapter = Weights::synthesizing(at::kFloat, at::kCPU, 2);
  const MotionAdapterConfig config;
  auto name = [&](const std::string& prefix, int64_t c) {
    adapter.set(prefix + "transformer_blocks.0.norm1.weight", at::ones({c}));
  };
  const auto& ch = config.blockOutChannels;
  for (size_t i = 0; i < ch.size(); ++i) {
    for (int64_t j = 0; j < config.layersPerBlock; ++j)
      name("down_blocks." + std::to_string(i) + ".motion_modules." + std::to_string(j) + ".", ch[i]);
    for (int64_t j = 0; j <= config.layersPerBlock; ++j)
      name("up_blocks." + std::to_string(i) + ".motion_modules." + std::to_string(j) + ".", ch[ch.size() - 1 - i]);
  }
  name("mid_block.motion_modules.0.", ch.back());
  const UNetMotion unet = UNetMotion::load(std::move(sd), config, adapter);
  StepResult result;
  result.weightBytes = residentBytes() - before;
  const at::Tensor sample = at::randn({1, 4, kAnimateDiffFrames, kLatent, kLatent});
  const at::Tensor context = at::randn({1, 77, 768});
  timed(result, [&] { (void)unet.forward(sample, at::scalar_tensor(500.0), context); });
  GenerationRequest request;
  request.width = request.height = kSide;
  request.frames = kAnimateDiffFrames;
  request.cfgScale = 1.0;
  result.estimateBytes = result.weightBytes + static_cast<double>(estimateGenerationBytes(request, 4));
  return result;
}

StepResult svdStep() {
  const double before = residentBytes();
  const SvdUNetConfig config;
  const SvdUNet unet = SvdUNet::load(config, Weights::synthesizing(at::kFloat, at::kCPU, 3));
  StepResult result;
  result.weightBytes = residentBytes() - before;
  const at::Tensor sample = at::randn({1, kSvdFrames, 8, kLatent, kLatent});
  const at::Tensor context = at::randn({1, 1, 1024});
  const at::Tensor ids = svdAddedTimeIds(7.0, 127.0, 0.02, 1);
  timed(result, [&] { (void)unet.forward(sample, at::scalar_tensor(0.5), context, ids); });
  SvdRunShape run;
  run.width = run.height = kSide;
  run.frames = kSvdFrames;
  run.bytesPerElement = 4;
  run.guidance = false;
  result.estimateBytes =
      static_cast<double>(estimateSvdPeakMemoryBytes(config, static_cast<int64_t>(result.weightBytes), run));
  return result;
}

// Child mode: `video_bench --step animatediff|svd OUT` writes "seconds cpu-seconds weights estimate" to OUT.
int runStepChild(const std::string& which, const char* out) {
  at::set_num_threads(kThreads);
  c10::InferenceMode inferenceMode;
  const StepResult r = which == "svd" ? svdStep() : animateDiffStep();
  std::ofstream(out) << r.stepSeconds << " " << r.stepCpuSeconds << " " << r.weightBytes << " " << r.estimateBytes
                     << "\n";
  return 0;
}

void stepInChild(benchmark::State& state, const char* which) {
  const fs::path out = fs::temp_directory_path() / ("lanterna_video_bench_" + std::to_string(::getpid()));
  for (auto _ : state) {
    const pid_t child = fork();
    if (child == 0) {
      execl("/proc/self/exe", "video_bench", "--step", which, out.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(child, &status, 0, &usage);
    StepResult r;
    std::ifstream in(out);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !(in >> r.stepSeconds >> r.stepCpuSeconds >> r.weightBytes >> r.estimateBytes)) {
      state.SkipWithError("the step child failed");
      break;
    }
    const double peak = static_cast<double>(usage.ru_maxrss) * 1024.0;  // KiB on Linux
    state.counters["step_s"] = r.stepSeconds;
    state.counters["step_cpu_s"] = r.stepCpuSeconds;
    state.counters["weights_GB"] = r.weightBytes / 1e9;
    state.counters["peak_rss_GB"] = peak / 1e9;
    state.counters["estimate_GB"] = r.estimateBytes / 1e9;
    state.counters["estimate_over_peak"] = r.estimateBytes / peak;
  }
  fs::remove(out);
}

void BM_AnimateDiffUNetStep(benchmark::State& state) { stepInChild(state, "animatediff"); }
void BM_SvdUNetStep(benchmark::State& state) { stepInChild(state, "svd"); }

BENCHMARK(BM_AnimateDiffUNetStep)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_SvdUNetStep)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--step") == 0) return runStepChild(argv[2], argv[3]);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
