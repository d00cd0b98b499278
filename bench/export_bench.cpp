// Export throughput, 1080p H.264 with a crossfade (10 s at 24 fps by default; LANTERNA_EXPORT_BENCH_SECONDS
// shortens it): our VideoWriter vs piping the same raw RGBA frames into the ffmpeg CLI with the same settings.
// Frames are composited once up front so both sides measure encoding only. Reports frames per second.
// BM_ExportJobSequence measures the whole app path instead: the document rendered frame by frame (CPU and Vulkan
// compositor) and encoded, as `lanterna-cli export` does.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "lanterna/app/export_job.h"
#include "lanterna/assets/compositor.h"
#include "lanterna/assets/image_io.h"
#include "lanterna/assets/video_writer.h"

namespace {

using namespace lanterna::assets;

constexpr int kWidth = 1920, kHeight = 1080, kFps = 24;

int seconds() {
  const char* env = std::getenv("LANTERNA_EXPORT_BENCH_SECONDS");
  return env ? std::max(1, std::atoi(env)) : 10;
}

const std::vector<Frame>& frames() {
  static const std::vector<Frame> all = [] {
    Frame a = Frame::allocate(kWidth, kHeight, PixelFormat::Rgba8), b = a;
    for (int y = 0; y < kHeight; ++y)
      for (int x = 0; x < kWidth; ++x) {
        auto* p = a.row<std::uint8_t>(y) + 4 * x;
        p[0] = std::uint8_t(x / 8); p[1] = std::uint8_t(y / 5); p[2] = 90; p[3] = 255;
        auto* q = b.row<std::uint8_t>(y) + 4 * x;
        q[0] = 30; q[1] = std::uint8_t(x / 8); q[2] = std::uint8_t(255 - y / 5); q[3] = 255;
      }
    const int count = seconds() * kFps;
    std::vector<Frame> out;
    for (int i = 0; i < count; ++i) out.push_back(*composeCpu(crossfade(a, b, float(i) / (count - 1), kWidth, kHeight)));
    return out;
  }();
  return all;
}

const std::filesystem::path kTarget = std::filesystem::temp_directory_path() / "lanterna_export_bench.mp4";

void BM_ExportVideoWriter(benchmark::State& state) {
  const auto& all = frames();
  ExportSettings settings{.format = ExportFormat::Mp4H264, .width = kWidth, .height = kHeight,
                          .frameRate = {kFps, 1}, .quality = 23, .speed = EncoderSpeed::Fast};
  for (auto _ : state) {
    auto done = exportVideo(kTarget, settings, std::int64_t(all.size()),
                            [&](std::int64_t i) -> lanterna::Result<Frame> { return all[std::size_t(i)]; });
    if (!done) state.SkipWithError(done.error().message.c_str());
  }
  state.counters["fps"] = benchmark::Counter(double(all.size()) * state.iterations(), benchmark::Counter::kIsRate);
  std::filesystem::remove(kTarget);
}

void BM_ExportFfmpegPipe(benchmark::State& state) {
  const auto& all = frames();
  const std::string command = "ffmpeg -nostdin -hide_banner -loglevel error -y -f rawvideo -pix_fmt rgba -s " +
                              std::to_string(kWidth) + "x" + std::to_string(kHeight) + " -r " + std::to_string(kFps) +
                              " -i - -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p " + kTarget.string();
  for (auto _ : state) {
    std::FILE* pipe = popen(command.c_str(), "w");
    if (!pipe) { state.SkipWithError("cannot start ffmpeg"); return; }
    for (const Frame& f : all) std::fwrite(f.data.data(), 1, f.data.size(), pipe);
    if (pclose(pipe) != 0) state.SkipWithError("ffmpeg failed");
  }
  state.counters["fps"] = benchmark::Counter(double(all.size()) * state.iterations(), benchmark::Counter::kIsRate);
  std::filesystem::remove(kTarget);
}

// Two 1080p stills with a crossfade over the middle half, rendered by the SequenceRenderer inside an ExportJob.
void BM_ExportJobSequence(benchmark::State& state) {
  namespace timeline = lanterna::timeline;
  const auto& all = frames();
  const auto folder = std::filesystem::temp_directory_path() / "lanterna_export_bench_media";
  std::filesystem::create_directories(folder);
  if (!saveImage(all.front(), folder / "a.png") || !saveImage(all.back(), folder / "b.png")) {
    state.SkipWithError("cannot write the stills");
    return;
  }
  const std::int64_t half = std::int64_t(all.size()) / 2;
  timeline::DocumentSnapshot snapshot{{"bench", {kFps, 1}, kWidth, kHeight}, {{1, timeline::TrackKind::Video, "V1"}}};
  snapshot.items.push_back({2, 1, timeline::FrameTime{0}, timeline::FrameTime{half}, {}, {}, {},
                            timeline::VideoPayload{10, {}, {}, {}, -1}});
  snapshot.items.push_back({3, 1, timeline::FrameTime{half}, timeline::FrameTime{half}, {}, {}, timeline::FrameTime{half},
                            timeline::VideoPayload{11, {}, {}, {}, -1}});
  snapshot.nextId = 4;
  const lanterna::app::AssetSources sources = {{10, {lanterna::app::AssetKind::Image, folder / "a.png"}},
                                               {11, {lanterna::app::AssetKind::Image, folder / "b.png"}}};
  const auto backend = state.range(0) ? CompositorBackend::Vulkan : CompositorBackend::Cpu;
  for (auto _ : state) {
    auto job = lanterna::app::ExportJob::create(snapshot, sources,
                                                {.output = kTarget, .speed = EncoderSpeed::Fast, .backend = backend});
    if (!job) { state.SkipWithError(job.error().message.c_str()); return; }
    if (auto done = job->run(); !done) state.SkipWithError(done.error().message.c_str());
  }
  state.counters["fps"] = benchmark::Counter(double(2 * half) * state.iterations(), benchmark::Counter::kIsRate);
  std::filesystem::remove(kTarget);
  std::filesystem::remove_all(folder);
}

BENCHMARK(BM_ExportVideoWriter)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_ExportFfmpegPipe)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_ExportJobSequence)->Arg(0)->Arg(1)->ArgName("vulkan")->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
