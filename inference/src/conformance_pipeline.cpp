// Group F: the whole text-to-image run through the pipeline code `lanterna-cli generate` uses. The case's three
// weight files are laid out as a diffusers folder (links, no copies) and opened like a user's model.
#include <unistd.h>

#include <fstream>

#include <c10/core/InferenceMode.h>

#include "conformance_case.h"
#include "sd_open.h"

namespace lanterna::inference {
namespace {

const nlohmann::json* caseConfigUsing(const std::filesystem::path& folder, const std::string& weightsFile) {
  static nlohmann::json manifest;
  std::ifstream in(folder / "manifest.json");
  in >> manifest;
  for (const auto& entry : manifest["cases"])
    if (entry.contains("weights") && entry["weights"].is_string() && entry["weights"] == weightsFile)
      return &entry["config"];
  return nullptr;
}

void writeJson(const std::filesystem::path& path, const nlohmann::json& json) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << json.dump(2);
}

void link(const std::filesystem::path& target, const std::filesystem::path& link) {
  std::filesystem::create_directories(link.parent_path());
  std::filesystem::remove(link);
  std::filesystem::create_symlink(std::filesystem::absolute(target), link);
}

// Builds <tmp>/txt2img_tiny as a diffusers folder: model_index.json + one folder per component.
std::filesystem::path layOutDiffusersFolder(const ConformanceCase& testCase) {
  const auto& folder = testCase.folder;
  // One folder per process: ctest runs cases in parallel processes.
  const auto root = std::filesystem::temp_directory_path() /
                    ("lanterna_conformance_" + testCase.name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  const auto files = testCase.weightFiles();  // clip_text, unet, vae
  auto configOf = [&](const std::filesystem::path& file) {
    const nlohmann::json* config = caseConfigUsing(folder, file.filename().string());
    if (!config) throw WeightsError("no case in the manifest gives a config for " + file.filename().string());
    return *config;
  };
  writeJson(root / "model_index.json", {{"_class_name", "StableDiffusionPipeline"},
                                        {"unet", {"diffusers", "UNet2DConditionModel"}},
                                        {"vae", {"diffusers", "AutoencoderKL"}},
                                        {"text_encoder", {"transformers", "CLIPTextModel"}},
                                        {"tokenizer", {"transformers", "CLIPTokenizer"}},
                                        {"scheduler", {"diffusers", "EulerDiscreteScheduler"}}});
  nlohmann::json textConfig = configOf(files.at(0));
  textConfig["architectures"] = {"CLIPTextModel"};
  writeJson(root / "text_encoder" / "config.json", textConfig);
  link(files.at(0), root / "text_encoder" / "model.safetensors");
  writeJson(root / "unet" / "config.json", configOf(files.at(1)));
  link(files.at(1), root / "unet" / "diffusion_pytorch_model.safetensors");
  writeJson(root / "vae" / "config.json", configOf(files.at(2)));
  link(files.at(2), root / "vae" / "diffusion_pytorch_model.safetensors");
  writeJson(root / "scheduler" / "scheduler_config.json", testCase.config().at("scheduler_config"));
  for (const char* name : {"vocab.json", "merges.txt", "tokenizer_config.json"})
    if (std::filesystem::exists(folder / "clip_tokenizer" / name))
      link(folder / "clip_tokenizer" / name, root / "tokenizer" / name);
  return root;
}

}  // namespace

CaseReport runPipelineCaseWith(const ConformanceCase& testCase, const EngineOptions& options) {
  CaseChecker checker(testCase);
  CaseTensors tensors(testCase);
  const auto& config = testCase.config();
  const auto modelFolder = layOutDiffusersFolder(testCase);
  struct RemoveOnExit {
    std::filesystem::path path;
    ~RemoveOnExit() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } cleanup{modelFolder};

  EngineInfo info;
  auto pipeline = openSdPipeline(modelFolder, options, info);
  if (!pipeline) {
    checker.fail(pipeline.error().message);
    return checker.report();
  }
  c10::InferenceMode inferenceMode;

  // 1. Tokenisation of the case's prompts must give its ids; then the same ids are encoded.
  const at::Tensor ids = tensors.input("input_ids");
  auto& tokenizer = pipeline->components().tokenizer;
  const auto negativeIds = tokenizer.tokenize(config.value("negative_prompt", ""));
  const auto promptIds = tokenizer.tokenize(config.value("prompt", ""));
  checker.compare("input_ids (tokenizer)", at::stack({at::tensor(negativeIds), at::tensor(promptIds)}), ids);
  at::Tensor context = pipeline->encodePrompts(config.value("prompt", ""), config.value("negative_prompt", ""), 0, true);
  checker.compare("prompt_embeds", context, tensors.expected("prompt_embeds"));

  // 2. The denoising loop, seeded with the case's initial noise instead of a generator draw.
  auto scheduler = makeScheduler("euler", config.at("scheduler_config"));
  if (!scheduler) {
    checker.fail(scheduler.error().message);
    return checker.report();
  }
  (*scheduler)->setTimesteps(config.at("num_inference_steps").get<int>());
  StepNoise noise;
  DenoiseTrace trace;
  CancelToken cancel;
  const at::Device device = pipeline->components().unet.device();
  at::Tensor latents = tensors.input("initial_noise").to(device) * (*scheduler)->initNoiseSigma();
  latents = pipeline->denoise(**scheduler, noise, latents, context, config.at("guidance_scale").get<double>(), 0,
                              nullptr, cancel, &trace);
  checker.compare("timesteps", trace.timesteps, tensors.expected("timesteps"));
  checker.compare("unet_inputs", at::stack(trace.unetInputs), tensors.expected("unet_inputs"));
  checker.compare("guided_noise_pred", at::stack(trace.guidedNoise), tensors.expected("guided_noise_pred"));
  checker.compare("latents", at::stack(trace.latents), tensors.expected("latents"));

  // 3. Decode as the pipeline does (divide by the scaling factor, map to [0, 1]).
  checker.compare("image", pipeline->decode(latents), tensors.expected("image"));
  return checker.report();
}

CaseReport runPipelineCase(const ConformanceCase& testCase) {
  EngineOptions options;
  options.device = Device::Cpu;
  options.precision = Precision::F32;
  return runPipelineCaseWith(testCase, options);
}

}  // namespace lanterna::inference
