// Full-size SD1.5 on the CPU, fp32, 2 threads: one UNet CFG step (batch 2), VAE decode, text encoding, the cost of a
// live preview, and the peak memory of a whole 256x256 run against the weight bytes. The weights are random (same
// names and shapes as the real checkpoint; speed does not depend on the values), written once as a diffusers folder
// under $LANTERNA_BENCH_DIR (default /tmp/lanterna_sd15_bench) and opened the way a user's model is: memory-mapped.
// Figures and how to read them: docs/performance.md.
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>

#include "clip_text_encoder.h"
#include "lanterna/inference/engine.h"
#include "latent_preview.h"
#include "nn_ops.h"
#include "op_profile.h"
#include "sd_loader.h"

namespace {

namespace fs = std::filesystem;
using namespace lanterna::inference;
using Specs = std::vector<std::pair<std::string, std::vector<int64_t>>>;

constexpr int kThreads = 2;

// --- 1. Names and shapes of the SD1.5 diffusers checkpoint ---------------------------------------------------

void conv(Specs& s, const std::string& n, int64_t out, int64_t in, int64_t k, bool bias = true) {
  s.push_back({n + ".weight", {out, in, k, k}});
  if (bias) s.push_back({n + ".bias", {out}});
}
void linear(Specs& s, const std::string& n, int64_t out, int64_t in, bool bias = true) {
  s.push_back({n + ".weight", {out, in}});
  if (bias) s.push_back({n + ".bias", {out}});
}
void norm(Specs& s, const std::string& n, int64_t c) {
  s.push_back({n + ".weight", {c}});
  s.push_back({n + ".bias", {c}});
}
void resnet(Specs& s, const std::string& p, int64_t in, int64_t out, int64_t temb) {
  norm(s, p + "norm1", in);
  conv(s, p + "conv1", out, in, 3);
  if (temb > 0) linear(s, p + "time_emb_proj", out, temb);
  norm(s, p + "norm2", out);
  conv(s, p + "conv2", out, out, 3);
  if (in != out) conv(s, p + "conv_shortcut", out, in, 1);
}
void transformer(Specs& s, const std::string& p, int64_t c, int64_t context) {
  norm(s, p + "norm", c);
  conv(s, p + "proj_in", c, c, 1);
  const std::string b = p + "transformer_blocks.0.";
  for (const char* n : {"norm1", "norm2", "norm3"}) norm(s, b + n, c);
  for (const char* attn : {"attn1.", "attn2."}) {
    const int64_t kv = std::string(attn) == "attn1." ? c : context;
    linear(s, b + attn + "to_q", c, c, false);
    linear(s, b + attn + "to_k", c, kv, false);
    linear(s, b + attn + "to_v", c, kv, false);
    linear(s, b + attn + "to_out.0", c, c);
  }
  linear(s, b + "ff.net.0.proj", 8 * c, c);
  linear(s, b + "ff.net.2", c, 4 * c);
  conv(s, p + "proj_out", c, c, 1);
}

Specs unetSpecs() {
  const std::vector<int64_t> ch{320, 640, 1280, 1280};
  const int64_t temb = 1280;
  Specs s;
  conv(s, "conv_in", 320, 4, 3);
  linear(s, "time_embedding.linear_1", temb, 320);
  linear(s, "time_embedding.linear_2", temb, temb);
  std::vector<int64_t> skips{320};
  int64_t prev = 320;
  for (int i = 0; i < 4; ++i) {
    const std::string p = "down_blocks." + std::to_string(i) + ".";
    for (int j = 0; j < 2; ++j) {
      resnet(s, p + "resnets." + std::to_string(j) + ".", j == 0 ? prev : ch[i], ch[i], temb);
      if (i < 3) transformer(s, p + "attentions." + std::to_string(j) + ".", ch[i], 768);
      skips.push_back(ch[i]);
    }
    if (i < 3) {
      conv(s, p + "downsamplers.0.conv", ch[i], ch[i], 3);
      skips.push_back(ch[i]);
    }
    prev = ch[i];
  }
  resnet(s, "mid_block.resnets.0.", 1280, 1280, temb);
  transformer(s, "mid_block.attentions.0.", 1280, 768);
  resnet(s, "mid_block.resnets.1.", 1280, 1280, temb);
  for (int i = 0; i < 4; ++i) {
    const int64_t out = ch[3 - i];
    const std::string p = "up_blocks." + std::to_string(i) + ".";
    for (int j = 0; j < 3; ++j) {
      const int64_t skip = skips.back();
      skips.pop_back();
      resnet(s, p + "resnets." + std::to_string(j) + ".", (j == 0 ? prev : out) + skip, out, temb);
      if (i > 0) transformer(s, p + "attentions." + std::to_string(j) + ".", out, 768);
    }
    if (i < 3) conv(s, p + "upsamplers.0.conv", out, out, 3);
    prev = out;
  }
  norm(s, "conv_norm_out", 320);
  conv(s, "conv_out", 4, 320, 3);
  return s;
}

void vaeMid(Specs& s, const std::string& p) {
  resnet(s, p + "resnets.0.", 512, 512, 0);
  norm(s, p + "attentions.0.group_norm", 512);
  for (const char* n : {"to_q", "to_k", "to_v", "to_out.0"}) linear(s, p + "attentions.0." + n, 512, 512);
  resnet(s, p + "resnets.1.", 512, 512, 0);
}

Specs vaeSpecs() {
  const std::vector<int64_t> ch{128, 256, 512, 512};
  Specs s;
  conv(s, "encoder.conv_in", 128, 3, 3);
  int64_t prev = 128;
  for (int i = 0; i < 4; ++i) {
    const std::string p = "encoder.down_blocks." + std::to_string(i) + ".";
    for (int j = 0; j < 2; ++j) resnet(s, p + "resnets." + std::to_string(j) + ".", j == 0 ? prev : ch[i], ch[i], 0);
    if (i < 3) conv(s, p + "downsamplers.0.conv", ch[i], ch[i], 3);
    prev = ch[i];
  }
  vaeMid(s, "encoder.mid_block.");
  norm(s, "encoder.conv_norm_out", 512);
  conv(s, "encoder.conv_out", 8, 512, 3);
  conv(s, "quant_conv", 8, 8, 1);
  conv(s, "post_quant_conv", 4, 4, 1);
  conv(s, "decoder.conv_in", 512, 4, 3);
  vaeMid(s, "decoder.mid_block.");
  prev = 512;
  for (int i = 0; i < 4; ++i) {
    const int64_t out = ch[3 - i];
    const std::string p = "decoder.up_blocks." + std::to_string(i) + ".";
    for (int j = 0; j < 3; ++j) resnet(s, p + "resnets." + std::to_string(j) + ".", j == 0 ? prev : out, out, 0);
    if (i < 3) conv(s, p + "upsamplers.0.conv", out, out, 3);
    prev = out;
  }
  norm(s, "decoder.conv_norm_out", 128);
  conv(s, "decoder.conv_out", 3, 128, 3);
  return s;
}

Specs clipSpecs() {
  const std::string t = "text_model.";
  Specs s;
  s.push_back({t + "embeddings.token_embedding.weight", {49408, 768}});
  s.push_back({t + "embeddings.position_embedding.weight", {77, 768}});
  for (int i = 0; i < 12; ++i) {
    const std::string p = t + "encoder.layers." + std::to_string(i) + ".";
    for (const char* n : {"q_proj", "k_proj", "v_proj", "out_proj"}) linear(s, p + "self_attn." + n, 768, 768);
    norm(s, p + "layer_norm1", 768);
    norm(s, p + "layer_norm2", 768);
    linear(s, p + "mlp.fc1", 3072, 768);
    linear(s, p + "mlp.fc2", 768, 3072);
  }
  norm(s, t + "final_layer_norm", 768);
  return s;
}

// --- 2. Writing the folder once -------------------------------------------------------------------------------

// Scaled like a trained network (unit-variance activations), so no layer overflows into inf/NaN or denormals.
at::Tensor randomTensor(const std::string& name, const std::vector<int64_t>& shape) {
  const bool isNormWeight = name.find("norm") != std::string::npos && name.ends_with(".weight") && shape.size() == 1;
  if (isNormWeight) return at::ones(shape);
  if (shape.size() == 1) return at::zeros(shape);
  int64_t fanIn = 1;
  for (size_t i = 1; i < shape.size(); ++i) fanIn *= shape[i];
  if (name.find("embedding.weight") != std::string::npos) fanIn = 1;
  return at::randn(shape).mul_(1.0 / std::sqrt(static_cast<double>(fanIn)));
}

void writeComponent(const fs::path& dir, const Specs& specs, const std::string& file, const nlohmann::json& config) {
  fs::create_directories(dir);
  std::vector<at::Tensor> keep;
  std::vector<TensorToWrite> tensors;
  for (const auto& [name, shape] : specs) {
    keep.push_back(randomTensor(name, shape));
    tensors.push_back({name, DType::F32, shape, keep.back().data_ptr()});
  }
  if (auto status = writeSafetensors(dir / file, tensors, {{"format", "pt"}}); !status)
    throw std::runtime_error(status.error().message);
  std::ofstream(dir / "config.json") << config.dump(2);
}

fs::path benchDir() {
  const char* env = std::getenv("LANTERNA_BENCH_DIR");
  return env ? fs::path(env) : fs::path("/tmp/lanterna_sd15_bench");
}

const fs::path& modelFolder() {
  static const fs::path folder = [] {
    const fs::path dir = benchDir();
    if (fs::exists(dir / "complete")) return dir;
    std::fprintf(stderr, "writing random SD1.5 weights to %s (once)...\n", dir.c_str());
    at::manual_seed(0);
    writeComponent(dir / "unet", unetSpecs(), "diffusion_pytorch_model.safetensors",
                   {{"_class_name", "UNet2DConditionModel"},
                    {"block_out_channels", {320, 640, 1280, 1280}},
                    {"down_block_types", {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                          "DownBlock2D"}},
                    {"up_block_types", {"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                                        "CrossAttnUpBlock2D"}},
                    {"attention_head_dim", 8}, {"cross_attention_dim", 768}, {"layers_per_block", 2},
                    {"in_channels", 4}, {"out_channels", 4}, {"norm_num_groups", 32}, {"sample_size", 64}});
    writeComponent(dir / "vae", vaeSpecs(), "diffusion_pytorch_model.safetensors",
                   {{"_class_name", "AutoencoderKL"},
                    {"block_out_channels", {128, 256, 512, 512}},
                    {"down_block_types", std::vector<std::string>(4, "DownEncoderBlock2D")},
                    {"up_block_types", std::vector<std::string>(4, "UpDecoderBlock2D")},
                    {"latent_channels", 4}, {"layers_per_block", 2}, {"norm_num_groups", 32},
                    {"sample_size", 512}, {"scaling_factor", 0.18215}});
    writeComponent(dir / "text_encoder", clipSpecs(), "model.safetensors",
                   {{"architectures", {"CLIPTextModel"}}, {"hidden_act", "quick_gelu"}, {"hidden_size", 768},
                    {"intermediate_size", 3072}, {"num_attention_heads", 12}, {"num_hidden_layers", 12},
                    {"max_position_embeddings", 77}, {"vocab_size", 49408}});
    fs::create_directories(dir / "scheduler");
    std::ofstream(dir / "scheduler" / "scheduler_config.json")
        << nlohmann::json{{"_class_name", "PNDMScheduler"}, {"beta_start", 0.00085}, {"beta_end", 0.012},
                          {"beta_schedule", "scaled_linear"}, {"num_train_timesteps", 1000},
                          {"prediction_type", "epsilon"}, {"steps_offset", 1}, {"set_alpha_to_one", false},
                          {"skip_prk_steps", true}}
               .dump(2);
    fs::create_directories(dir / "tokenizer");
    const char* shared = std::getenv("LANTERNA_SHARED_DIR");
    const fs::path tokenizer = fs::path(shared && *shared ? shared : LANTERNA_SHARED_DIR_DEFAULT) / "conformance" /
                               "clip_tokenizer";
    for (const char* name : {"vocab.json", "merges.txt", "tokenizer_config.json"})
      fs::copy_file(tokenizer / name, dir / "tokenizer" / name, fs::copy_options::overwrite_existing);
    std::ofstream(dir / "model_index.json") << R"({"_class_name": "StableDiffusionPipeline"})";
    std::ofstream(dir / "complete") << "ok\n";
    return dir;
  }();
  return folder;
}

uint64_t weightBytes(const fs::path& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.path().extension() == ".safetensors") bytes += entry.file_size();
  return bytes;
}

}  // namespace

namespace {

// --- 3. The networks, loaded once per process ------------------------------------------------------------------

struct Bench {
  LoadedModel model;
  std::optional<ClipTextEncoder> text;
  double unetStep256Seconds = 0;  // the latest measured step, for the preview's share
};

Bench& bench() {
  static Bench* loaded = [] {
    at::set_num_threads(kThreads);
    c10::InferenceMode inferenceMode;
    // Load with the conv weights packed, so each variant can run in this process; the defaults apply after.
    const CpuKernels defaults = cpuKernels();
    CpuKernels loading = defaults;
    loading.prepackedConvWeights = true;
    setCpuKernels(loading);
    auto model = loadStableDiffusion(modelFolder());
    setCpuKernels(defaults);
    if (!model) throw std::runtime_error(model.error().message);
    auto* b = new Bench{std::move(*model), std::nullopt, 0};
    b->text.emplace(ClipTextConfig::fromJson(b->model.textEncoderConfig), b->model.textEncoder);
    return b;
  }();
  return *loaded;
}

at::Tensor unetStep(const UNet2DCondition& unet, const at::Tensor& latents, const at::Tensor& context) {
  return unet.forward(latents, at::tensor(int64_t{500}), context);
}

void BM_UNetCfgStep(benchmark::State& state) {
  Bench& b = bench();
  c10::InferenceMode inferenceMode;
  const int64_t side = state.range(0) / 8;
  at::manual_seed(1);
  const at::Tensor latents = at::randn({2, 4, side, side}), context = at::randn({2, 77, 768});
  unetStep(*b.model.unet, latents, context);  // warm-up: first-touch of the mapped weights, allocator
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(unetStep(*b.model.unet, latents, context));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (state.range(0) == 256) b.unetStep256Seconds = seconds;
  }
}

void BM_VaeDecode(benchmark::State& state) {
  Bench& b = bench();
  c10::InferenceMode inferenceMode;
  const int64_t side = state.range(0) / 8;
  const at::Tensor latent = at::randn({1, 4, side, side});
  b.model.vae->decode(latent);
  for (auto _ : state) benchmark::DoNotOptimize(b.model.vae->decode(latent));
}

void BM_TextEncode(benchmark::State& state) {
  Bench& b = bench();
  c10::InferenceMode inferenceMode;
  const at::Tensor ids = at::randint(0, 49407, {2, 77}, at::kLong);
  b.text->forward(ids);
  for (auto _ : state) benchmark::DoNotOptimize(b.text->forward(ids).lastHiddenState);
}

// Before/after for each CPU kernel choice, alternated round by round in this one process so a busy machine slows
// every variant alike; counters are the medians in seconds.
void BM_UNetCfgStep256Variants(benchmark::State& state) {
  Bench& b = bench();
  c10::InferenceMode inferenceMode;
  const at::Tensor latents = at::randn({2, 4, 32, 32}), context = at::randn({2, 77, 768});
  const std::vector<std::pair<std::string, CpuKernels>> variants{
      {"plain_aten", {false, false, false, false}},
      {"linear_onednn", {true, false, false, false}},
      {"blocked_attention", {false, true, false, false}},
      {"channels_last", {false, false, true, false}},
      {"prepacked_conv", {false, false, false, true}},
      {"all", {true, true, true, true}}};
  const CpuKernels saved = cpuKernels();
  std::vector<std::vector<double>> seconds(variants.size());
  unetStep(*b.model.unet, latents, context);
  for (auto _ : state)
    for (size_t i = 0; i < variants.size(); ++i) {
      setCpuKernels(variants[i].second);
      const auto start = std::chrono::steady_clock::now();
      benchmark::DoNotOptimize(unetStep(*b.model.unet, latents, context));
      seconds[i].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  setCpuKernels(saved);
  for (size_t i = 0; i < variants.size(); ++i) {
    auto& s = seconds[i];
    std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
    state.counters[variants[i].first] = s[s.size() / 2];
  }
}

// A preview per step renders the denoised latent of one image: its cost is quoted as a share of the UNet step.
void BM_LivePreview256(benchmark::State& state) {
  const LatentPreview preview = *LatentPreview::forArchitecture("sd1");
  c10::InferenceMode inferenceMode;
  const at::Tensor latent = at::randn({1, 4, 32, 32});
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(preview.render(latent));
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double step = bench().unetStep256Seconds;
  if (step > 0) state.counters["share_of_step_pct"] = 100.0 * total / static_cast<double>(state.iterations()) / step;
}

// --- 4. Peak memory of a whole run, in a fresh process so loading and the weight writer are not counted ----------

// With LANTERNA_BENCH_RSS set, the child prints its resident and peak memory after each phase (to find a peak).
void traceMemory(const char* phase) {
  if (std::getenv("LANTERNA_BENCH_RSS") == nullptr) return;
  std::ifstream status("/proc/self/status");
  std::string line, text;
  while (std::getline(status, line))
    for (const char* key : {"VmRSS:", "VmHWM:", "RssAnon:", "RssFile:"})
      if (line.rfind(key, 0) == 0) text += "  " + line.substr(0, line.size() - 3);  // "NAME:   123456" (kB)
  std::fprintf(stderr, "%-10s%s kB\n", phase, text.c_str());
}

std::optional<CpuKernels> parseVariant(const std::string& spec);

// LANTERNA_BENCH_VARIANT (a --compare variant) picks the CPU kernels, e.g. to see what one of them adds to the peak.
int wholeRun256() {
  if (const char* variant = std::getenv("LANTERNA_BENCH_VARIANT")) {
    auto kernels = parseVariant(variant);
    if (!kernels) return std::fprintf(stderr, "unknown variant %s\n", variant), 2;
    setCpuKernels(*kernels);
  }
  EngineOptions options;
  options.cpuThreads = kThreads;
  options.precision = Precision::F32;
  traceMemory("start");
  auto engine = Engine::open(modelFolder(), options);
  traceMemory("opened");
  if (std::getenv("LANTERNA_BENCH_TRIM")) malloc_trim(0), traceMemory("trimmed");
  if (!engine) {
    std::fprintf(stderr, "%s\n", engine.error().message.c_str());
    return 1;
  }
  GenerationRequest request;
  request.prompt = "a lantern on a table";
  request.width = request.height = 256;
  request.steps = 2;
  request.sampler = "euler";
  CancelToken cancel;
  struct TraceSteps final : StepObserver {
    void onStep(const StepInfo&) override { traceMemory("step"); }
  } traceSteps;
  auto out = engine->generate(request, std::getenv("LANTERNA_BENCH_RSS") ? &traceSteps : nullptr, cancel);
  if (!out) {
    std::fprintf(stderr, "%s\n", out.error().message.c_str());
    return 1;
  }
  traceMemory("generated");
  return out->frames.size() == 1 ? 0 : 1;
}

void BM_WholeRun256PeakMemory(benchmark::State& state) {
  modelFolder();
  for (auto _ : state) {
    const pid_t child = fork();
    if (child == 0) {
      execl("/proc/self/exe", "sd_bench", "--whole-run-256", static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(child, &status, 0, &usage);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("the whole-run child failed");
      return;
    }
    const double peak = static_cast<double>(usage.ru_maxrss) * 1024.0;  // KiB on Linux
    const double weights = static_cast<double>(weightBytes(modelFolder()));
    state.counters["peak_rss_GB"] = peak / 1e9;
    state.counters["weights_GB"] = weights / 1e9;
    state.counters["rss_over_weights"] = peak / weights;
  }
}

BENCHMARK(BM_TextEncode)->Unit(benchmark::kMillisecond)->Iterations(5)->Repetitions(3);
BENCHMARK(BM_UNetCfgStep)->Arg(256)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3);
BENCHMARK(BM_UNetCfgStep256Variants)->Unit(benchmark::kSecond)->Iterations(3);
BENCHMARK(BM_LivePreview256)->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK(BM_UNetCfgStep)->Arg(512)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3);
BENCHMARK(BM_VaeDecode)->Arg(256)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3);
BENCHMARK(BM_VaeDecode)->Arg(512)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3);
BENCHMARK(BM_WholeRun256PeakMemory)->Unit(benchmark::kSecond)->Iterations(1);

// --- 5. Modes for kernel work: a per-op profile, and an interleaved before/after comparison ---------------------
//   sd_bench --profile unet256 [steps]                  self CPU/wall time and GFLOP/s per ATen op
//   sd_bench --compare unet256 ROUNDS plain default ... variants alternated round by round, medians + paired ratios
// Variants: "plain" (plain ATen), "default" (this build's CpuKernels defaults), or flags joined by '+':
// linear, attention, channels_last, prepack, vae_nhwc, block_cache (e.g. "attention+linear").

std::optional<CpuKernels> parseVariant(const std::string& spec) {
  if (spec == "default") return CpuKernels{};
  CpuKernels k{false, false, false, false, false, false};
  if (spec == "plain") return k;
  size_t begin = 0;
  while (begin <= spec.size()) {
    const size_t end = std::min(spec.find('+', begin), spec.size());
    const std::string flag = spec.substr(begin, end - begin);
    if (flag == "linear") k.linearViaOneDnn = true;
    else if (flag == "attention") k.cacheBlockedAttention = true;
    else if (flag == "channels_last") k.channelsLastUNet = true;
    else if (flag == "prepack") k.prepackedConvWeights = true;
    else if (flag == "vae_nhwc") k.channelsLastVae = true;
    else if (flag == "block_cache") k.cpuBlockCache = true;
    else return std::nullopt;
    begin = end + 1;
  }
  return k;
}

// The VAE loaded again with one load-time kernel switched off (its decoder then keeps packed weights), so a variant
// without the NHWC decoder runs what that build would have loaded.
const AutoencoderKL& vaeLoadedWithout(bool CpuKernels::*flag) {
  static std::optional<SafetensorsFile> file;
  static std::optional<AutoencoderKL> vae;
  if (!vae) {
    const CpuKernels kernels = cpuKernels();
    CpuKernels loading = kernels;
    loading.*flag = false;
    setCpuKernels(loading);
    auto opened = SafetensorsFile::open(modelFolder() / "vae" / "diffusion_pytorch_model.safetensors");
    if (!opened) throw std::runtime_error(opened.error().message);
    file.emplace(std::move(*opened));
    vae.emplace(AutoencoderKL::load(VaeConfig::fromJson(bench().model.vaeConfig), Weights::load(*file)));
    setCpuKernels(kernels);
  }
  return *vae;
}

// One unit of work by name: unet256, unet512 (a CFG step), vae256, vae512 (a decode), vaeencode256.
std::optional<std::function<void()>> workload(const std::string& what) {
  Bench& b = bench();
  at::manual_seed(1);
  if (what == "unet256" || what == "unet512") {
    const int64_t side = what == "unet256" ? 32 : 64;
    at::Tensor latents = at::randn({2, 4, side, side}), context = at::randn({2, 77, 768});
    return [&b, latents, context] { unetStep(*b.model.unet, latents, context); };
  }
  if (what == "vae256" || what == "vae512") {
    at::Tensor latent = at::randn({1, 4, what == "vae256" ? 32 : 64, what == "vae256" ? 32 : 64});
    const AutoencoderKL& nchw = vaeLoadedWithout(&CpuKernels::channelsLastVae);
    return [&b, &nchw, latent] { (cpuKernels().channelsLastVae ? *b.model.vae : nchw).decode(latent); };
  }
  if (what == "vaeencode256") {  // img2img's encode of a 256^2 image
    at::Tensor image = at::rand({1, 3, 256, 256}) * 2 - 1;
    const AutoencoderKL& nchw = vaeLoadedWithout(&CpuKernels::channelsLastVae);
    return [&b, &nchw, image] { (cpuKernels().channelsLastVae ? *b.model.vae : nchw).encode(image); };
  }
  return std::nullopt;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

int profileMode(const std::string& what, int steps) {
  c10::InferenceMode inferenceMode;
  auto work = workload(what);
  if (!work) return std::fprintf(stderr, "unknown workload %s\n", what.c_str()), 2;
  (*work)();  // warm-up: page-in of the mapped weights
  const double cpu0 = lanterna::bench::processCpuSeconds(), wall0 = lanterna::bench::wallSeconds();
  lanterna::bench::OpProfile profile;
  for (int i = 0; i < steps; ++i) (*work)();
  const double cpu = lanterna::bench::processCpuSeconds() - cpu0, wall = lanterna::bench::wallSeconds() - wall0;
  std::printf("%s, %d steps, %d threads: %.3f s wall, %.3f s process CPU per step (profiler on)\n\n",
              what.c_str(), steps, at::get_num_threads(), wall / steps, cpu / steps);
  profile.print(steps);
  std::printf("\nconvolutions and GEMMs by input shapes:\n");
  profile.printShapes(steps);
  return 0;
}

int compareMode(const std::string& what, int rounds, const std::vector<std::string>& names) {
  c10::InferenceMode inferenceMode;
  auto work = workload(what);
  if (!work) return std::fprintf(stderr, "unknown workload %s\n", what.c_str()), 2;
  std::vector<CpuKernels> variants;
  for (const auto& name : names) {
    auto k = parseVariant(name);
    if (!k) return std::fprintf(stderr, "unknown variant %s\n", name.c_str()), 2;
    variants.push_back(*k);
  }
  for (const auto& k : variants) setCpuKernels(k), (*work)();  // warm-up of every path
  std::vector<std::vector<double>> wall(variants.size()), cpu(variants.size()), ratio(variants.size());
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < variants.size(); ++i) {
      setCpuKernels(variants[(i + r) % variants.size()]);  // rotate the order so no variant always runs first
      const size_t v = (i + r) % variants.size();
      const double c0 = lanterna::bench::processCpuSeconds(), w0 = lanterna::bench::wallSeconds();
      (*work)();
      wall[v].push_back(lanterna::bench::wallSeconds() - w0);
      cpu[v].push_back(lanterna::bench::processCpuSeconds() - c0);
    }
    for (size_t v = 0; v < variants.size(); ++v) ratio[v].push_back(wall[v].back() / wall[0].back());
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    std::fprintf(stderr, "round %d/%d done (load %.1f)\n", r + 1, rounds, load[0]);
  }
  std::printf("%s, %d rounds, %d threads; medians (before = the first variant)\n", what.c_str(), rounds,
              at::get_num_threads());
  std::printf("%-34s %9s %9s %9s %12s\n", "variant", "wall_s", "min_s", "cpu_s", "paired_ratio");
  for (size_t v = 0; v < variants.size(); ++v)
    std::printf("%-34s %9.3f %9.3f %9.3f %12.3f\n", names[v].c_str(), median(wall[v]),
                *std::min_element(wall[v].begin(), wall[v].end()), median(cpu[v]), median(ratio[v]));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--whole-run-256") return wholeRun256();
  if (argc > 2 && std::string(argv[1]) == "--profile") {
    bench();
    return profileMode(argv[2], argc > 3 ? std::atoi(argv[3]) : 3);
  }
  if (argc > 4 && std::string(argv[1]) == "--compare") {
    bench();
    return compareMode(argv[2], std::atoi(argv[3]), std::vector<std::string>(argv + 4, argv + argc));
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
