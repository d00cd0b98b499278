// A tiny Stable Diffusion 1.x model as a diffusers folder, built from the shared conformance weights (symlinks) and
// the configs in the shared manifest, so Engine::open and lanterna-cli generate run in a second on the CPU.
//   const auto model = makeTinyModel(dir.path());   // empty when shared/conformance is absent
#pragma once

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "test_paths.h"

namespace lanterna::testing {

inline std::filesystem::path makeTinyModel(const std::filesystem::path& parent) {
  namespace fs = std::filesystem;
  const fs::path shared = conformanceDir();
  if (!fs::exists(shared / "manifest.json") || !fs::exists(shared / "clip_tokenizer" / "vocab.json")) return {};
  std::ifstream in(shared / "manifest.json");
  const auto manifest = nlohmann::json::parse(in);
  nlohmann::json configs;
  for (const auto& entry : manifest["cases"])
    if (entry["name"] == "single_file_sd15") configs = entry["config"];
  if (configs.is_null()) return {};
  const fs::path folder = parent / "tiny-sd15";
  fs::create_directories(folder / "scheduler");
  std::ofstream(folder / "model_index.json") << R"({"_class_name": "StableDiffusionPipeline"})";
  std::ofstream(folder / "scheduler" / "scheduler_config.json") << R"({"prediction_type": "epsilon"})";
  auto component = [&](const std::string& name, const std::string& weights, const std::string& file) {
    fs::create_directories(folder / name);
    fs::create_symlink(shared / weights, folder / name / file);
    std::ofstream(folder / name / "config.json") << configs[name].dump();
  };
  component("unet", "unet_sd15.weights.safetensors", "diffusion_pytorch_model.safetensors");
  component("vae", "vae.weights.safetensors", "diffusion_pytorch_model.safetensors");
  component("text_encoder", "clip_text.weights.safetensors", "model.safetensors");
  fs::create_directories(folder / "tokenizer");
  for (const char* file : {"vocab.json", "merges.txt", "tokenizer_config.json"})
    fs::create_symlink(shared / "clip_tokenizer" / file, folder / "tokenizer" / file);
  return folder;
}

}  // namespace lanterna::testing
