// Time per 1080p composited frame (a two-layer crossfade of 1080p sources): CPU reference vs Vulkan compute.
#include <benchmark/benchmark.h>

#include "lanterna/assets/compositor.h"

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

}  // namespace

BENCHMARK_MAIN();
