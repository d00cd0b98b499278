// Time per 1080p composited frame (a two-layer crossfade of 1080p sources): CPU reference vs Vulkan compute.
// Also the cost of one optical-flow in-between (ConformMode::Interpolate) at 512² (a generation) and 1080p.
#include <benchmark/benchmark.h>

#include <algorithm>

#include "lanterna/assets/compositor.h"
#include "lanterna/assets/frame_interpolation.h"

namespace {

using namespace lanterna::assets;

Frame gradient(int width, int height, int seed) {
  Frame frame = Frame::allocate(width, height, PixelFormat::Rgba8);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      auto* p = frame.row<std::uint8_t>(y) + 4 * x;
      p[0] = std::uint8_t(x + seed); p[1] = std::uint8_t(y); p[2] = std::uint8_t(x ^ y); p[3] = 255;
    }
  return frame;
}

void runCrossfade(benchmark::State& state, CompositorBackend backend) {
  const Frame a = gradient(1920, 1080, 0), b = gradient(1280, 720, 50);  // the second one is scaled up
  Compositor compositor = Compositor::create(backend);
  if (backend == CompositorBackend::Vulkan && !compositor.usesVulkan()) {
    state.SkipWithError(("no Vulkan device: " + compositor.fallbackReason()).c_str());
    return;
  }
  state.SetLabel(compositor.deviceName());
  float t = 0;
  for (auto _ : state) {
    auto out = compositor.compose(crossfade(a, b, t, 1920, 1080));
    benchmark::DoNotOptimize(out);
    t = t >= 1.0f ? 0.0f : t + 0.05f;
  }
}

void BM_Composite1080pCpu(benchmark::State& state) { runCrossfade(state, CompositorBackend::Cpu); }
void BM_Composite1080pVulkan(benchmark::State& state) { runCrossfade(state, CompositorBackend::Vulkan); }
BENCHMARK(BM_Composite1080pCpu)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Composite1080pVulkan)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// A textured picture and the same picture moved 12 px right and 6 px down: flow both ways, splat, blend.
void BM_InterpolateFrame(benchmark::State& state) {
  const int width = int(state.range(0)), height = int(state.range(1));
  const Frame a = gradient(width + 12, height + 6, 0);
  Frame first = Frame::allocate(width, height, PixelFormat::Rgba8), second = first;
  for (int y = 0; y < height; ++y) {
    std::copy_n(a.row<std::uint8_t>(y + 6) + 4 * 12, 4 * width, first.row<std::uint8_t>(y));
    std::copy_n(a.row<std::uint8_t>(y), 4 * width, second.row<std::uint8_t>(y));
  }
  for (auto _ : state) benchmark::DoNotOptimize(interpolateFrames(first, second, 0.5));
}
BENCHMARK(BM_InterpolateFrame)->Args({512, 512})->Args({1920, 1080})->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
