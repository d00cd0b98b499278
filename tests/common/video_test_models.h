// Tiny video models assembled in a temp folder from the shared conformance weights, laid out as users' models are:
// a diffusers SD 1.x folder (optionally with a motion_adapter/, the AnimateDiffPipeline layout) and a diffusers
// Stable Video Diffusion folder. Tests that use them call LANTERNA_REQUIRE_SHARED first.
//   TinyModelFolder sd = TinyModelFolder::stableDiffusion("sd", MotionAdapter::Folder);
//   auto engine = Engine::open(sd.path(), cpuOptions());
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "lanterna/inference/engine.h"
#include "lanterna/inference/safetensors.h"
#include "test_paths.h"

namespace lanterna::testing {

inline nlohmann::json conformanceCase(const std::string& name) {
  std::ifstream in(conformanceDir() / "manifest.json");
  const nlohmann::json manifest = nlohmann::json::parse(in);
  for (const auto& entry : manifest.at("cases"))
    if (entry.value("name", "") == name) return entry.at("config");
  return {};
}

inline inference::EngineOptions cpuOptions() {
  inference::EngineOptions options;
  options.device = inference::Device::Cpu;
  options.precision = inference::Precision::F32;
  return options;
}

// A smooth colour gradient: something a VAE reproduces well.
inline inference::Image gradientImage(int width, int height) {
  inference::Image image{width, height, std::vector<std::uint8_t>(static_cast<size_t>(width) * height * 3)};
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      auto* p = &image.rgb[(static_cast<size_t>(y) * width + x) * 3];
      p[0] = static_cast<std::uint8_t>(40 + 160 * x / width);
      p[1] = static_cast<std::uint8_t>(60 + 120 * y / height);
      p[2] = 128;
    }
  return image;
}

inline double psnr(const inference::Image& a, const inference::Image& b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.rgb.size(); ++i) {
    const double d = double(a.rgb[i]) - double(b.rgb[i]);
    sum += d * d;
  }
  const double mse = sum / std::max<size_t>(1, a.rgb.size());
  return mse == 0.0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

// A diffusers MotionAdapter folder whose modules are identities: proj_out zero, as AnimateDiff initialises its
// temporal modules before training (heads 8; the other weights small and fixed). blockOutChannels and
// layersPerBlock must match the SD UNet it joins.
inline void writeIdentityMotionAdapter(const std::filesystem::path& folder, const std::vector<int64_t>& channels,
                                       int64_t layersPerBlock) {
  std::filesystem::create_directories(folder);
  std::vector<std::vector<float>> storage;
  std::vector<inference::TensorToWrite> tensors;
  storage.reserve(4096);
  auto add = [&](const std::string& name, std::vector<int64_t> shape, float value) {
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    storage.emplace_back(static_cast<size_t>(count), value);
    tensors.push_back({name, inference::DType::F32, std::move(shape), storage.back().data()});
  };
  auto module = [&](const std::string& prefix, int64_t c) {
    add(prefix + "norm.weight", {c}, 1.0f);
    add(prefix + "norm.bias", {c}, 0.0f);
    add(prefix + "proj_in.weight", {c, c}, 0.01f);
    add(prefix + "proj_in.bias", {c}, 0.0f);
    add(prefix + "proj_out.weight", {c, c}, 0.0f);
    add(prefix + "proj_out.bias", {c}, 0.0f);
    const std::string block = prefix + "transformer_blocks.0.";
    for (const char* norm : {"norm1", "norm2", "norm3"}) {
      add(block + norm + ".weight", {c}, 1.0f);
      add(block + norm + ".bias", {c}, 0.0f);
    }
    for (const char* attn : {"attn1.", "attn2."}) {
      for (const char* proj : {"to_q", "to_k", "to_v"}) add(block + attn + proj + ".weight", {c, c}, 0.01f);
      add(block + attn + "to_out.0.weight", {c, c}, 0.01f);
      add(block + attn + "to_out.0.bias", {c}, 0.0f);
    }
    add(block + "ff.net.0.proj.weight", {8 * c, c}, 0.01f);
    add(block + "ff.net.0.proj.bias", {8 * c}, 0.0f);
    add(block + "ff.net.2.weight", {c, 4 * c}, 0.01f);
    add(block + "ff.net.2.bias", {c}, 0.0f);
  };
  const size_t levels = channels.size();
  for (size_t i = 0; i < levels; ++i) {
    for (int64_t j = 0; j < layersPerBlock; ++j)
      module("down_blocks." + std::to_string(i) + ".motion_modules." + std::to_string(j) + ".", channels[i]);
    for (int64_t j = 0; j <= layersPerBlock; ++j)
      module("up_blocks." + std::to_string(i) + ".motion_modules." + std::to_string(j) + ".",
             channels[levels - 1 - i]);
  }
  module("mid_block.motion_modules.0.", channels.back());
  (void)inference::writeSafetensors(folder / "diffusion_pytorch_model.safetensors", tensors);
  std::ofstream(folder / "config.json") << nlohmann::json{{"_class_name", "MotionAdapter"},
                                                          {"block_out_channels", channels},
                                                          {"motion_layers_per_block", layersPerBlock},
                                                          {"motion_mid_block_layers_per_block", 1},
                                                          {"motion_num_attention_heads", 8},
                                                          {"motion_norm_num_groups", 32},
                                                          {"motion_max_seq_length", 32},
                                                          {"use_motion_mid_block", true}}
                                               .dump(2);
}

enum class MotionAdapter { None, Folder };

class TinyModelFolder {
 public:
  TinyModelFolder(const TinyModelFolder&) = delete;
  TinyModelFolder(TinyModelFolder&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ~TinyModelFolder() {
    if (!path_.empty()) std::filesystem::remove_all(path_);
  }
  const std::filesystem::path& path() const { return path_; }

  static TinyModelFolder stableDiffusion(const std::string& tag, MotionAdapter adapter = MotionAdapter::None) {
    TinyModelFolder folder(tag);
    const auto& root = folder.path_;
    const auto dir = conformanceDir();
    nlohmann::json index = {{"_class_name", "StableDiffusionPipeline"},
                            {"unet", {"diffusers", "UNet2DConditionModel"}},
                            {"vae", {"diffusers", "AutoencoderKL"}},
                            {"text_encoder", {"transformers", "CLIPTextModel"}},
                            {"tokenizer", {"transformers", "CLIPTokenizer"}},
                            {"scheduler", {"diffusers", "EulerDiscreteScheduler"}}};
    nlohmann::json text = conformanceCase("clip_text");
    text["architectures"] = {"CLIPTextModel"};
    component(root / "text_encoder", text, dir / "clip_text.weights.safetensors", "model.safetensors");
    component(root / "unet", conformanceCase("unet_sd15_t_scalar"), dir / "unet_sd15.weights.safetensors");
    component(root / "vae", conformanceCase("vae_decode"), dir / "vae.weights.safetensors");
    writeJson(root / "scheduler" / "scheduler_config.json", conformanceCase("txt2img_tiny").at("scheduler_config"));
    std::filesystem::create_directories(root / "tokenizer");
    for (const char* name : {"vocab.json", "merges.txt", "tokenizer_config.json"})
      if (std::filesystem::exists(dir / "clip_tokenizer" / name))
        std::filesystem::create_symlink(dir / "clip_tokenizer" / name, root / "tokenizer" / name);
    if (adapter == MotionAdapter::Folder) {
      index["_class_name"] = "AnimateDiffPipeline";
      index["motion_adapter"] = {"diffusers", "MotionAdapter"};
      component(root / "motion_adapter", conformanceCase("animatediff_unet_motion").at("motion_adapter"),
                dir / "motion_adapter.weights.safetensors");
    }
    writeJson(root / "model_index.json", index);
    return folder;
  }

  static TinyModelFolder stableVideoDiffusion(const std::string& tag) {
    TinyModelFolder folder(tag);
    const auto& root = folder.path_;
    const auto dir = conformanceDir();
    component(root / "unet", conformanceCase("svd_unet"), dir / "svd_unet.weights.safetensors");
    component(root / "vae", conformanceCase("svd_vae_decode"), dir / "svd_vae.weights.safetensors");
    component(root / "image_encoder", conformanceCase("clip_vision"), dir / "clip_vision.weights.safetensors",
              "model.safetensors");
    writeJson(root / "scheduler" / "scheduler_config.json", conformanceCase("sched_svd_euler_4"));
    writeJson(root / "model_index.json", {{"_class_name", "StableVideoDiffusionPipeline"},
                                          {"unet", {"diffusers", "UNetSpatioTemporalConditionModel"}},
                                          {"vae", {"diffusers", "AutoencoderKLTemporalDecoder"}},
                                          {"image_encoder", {"transformers", "CLIPVisionModelWithProjection"}},
                                          {"scheduler", {"diffusers", "EulerDiscreteScheduler"}}});
    return folder;
  }

 private:
  explicit TinyModelFolder(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() /
              ("lanterna_video_" + tag + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  static void writeJson(const std::filesystem::path& path, const nlohmann::json& json) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << json.dump(2);
  }
  static void component(const std::filesystem::path& folder, const nlohmann::json& config,
                        const std::filesystem::path& weights,
                        const std::string& name = "diffusion_pytorch_model.safetensors") {
    writeJson(folder / "config.json", config);
    std::filesystem::create_symlink(weights, folder / name);
  }

  std::filesystem::path path_;
};

}  // namespace lanterna::testing
