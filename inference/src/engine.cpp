#include "lanterna/inference/engine.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <c10/util/Exception.h>

#include <cstdlib>
#include <thread>

#include "animatediff_pipeline.h"
#include "fault_injection.h"
#include "memory_estimate.h"
#include "sd_loader.h"
#include "sd_open.h"
#include "vae_preview.h"
#include "sd_pipeline.h"
#include "video_open.h"
#include "weights.h"

namespace lanterna::inference {
namespace {

// Shared files a single-file checkpoint lacks are looked for in these sub-folders of each models folder.
const char* const kTokenizerFolders[] = {"clip_tokenizer", "tokenizer", "clip-vit-large-patch14",
                                         "openai/clip-vit-large-patch14", "clip/tokenizer"};

bool hasTokenizerFiles(const std::filesystem::path& folder) {
  return std::filesystem::exists(folder / "vocab.json") && std::filesystem::exists(folder / "merges.txt");
}

Result<std::filesystem::path> findTokenizer(const LoadedModel& model, const EngineOptions& options) {
  if (!model.tokenizerFolder.empty() && hasTokenizerFiles(model.tokenizerFolder)) return model.tokenizerFolder;
  std::vector<std::filesystem::path> searched;
  auto consider = [&](const std::filesystem::path& root) -> std::optional<std::filesystem::path> {
    for (const char* sub : kTokenizerFolders) {
      searched.push_back(root / sub);
      if (hasTokenizerFiles(root / sub)) return root / sub;
    }
    return std::nullopt;
  };
  if (auto found = consider(model.info.path.parent_path())) return *found;
  for (const auto& folder : options.modelFolders)
    if (auto found = consider(folder)) return *found;
  std::string where = options.modelFolders.empty() ? model.info.path.parent_path().string()
                                                   : options.modelFolders.front().string();
  return makeError(ErrorKind::FileNotFound,
                   "\"" + model.info.path.filename().string() +
                       "\" is a single-file checkpoint and carries no tokenizer. Lanterna needs the CLIP tokenizer "
                       "files vocab.json and merges.txt (from openai/clip-vit-large-patch14) in \"" + where +
                       "/clip_tokenizer/\": run `lanterna-cli models fetch-tokenizer`, or copy them there.",
                   model.info.path);
}

// CUDA's caching allocator throws c10::OutOfMemoryError (LibTorch >= 1.13); the job fails with what to change.
Error outOfMemory(const c10::OutOfMemoryError& e, const std::string& during, const std::filesystem::path& file = {}) {
  const std::string message = e.msg();
  return makeError(ErrorKind::OutOfMemory,
                   "Out of memory while " + during + " (" + message.substr(0, message.find('\n')) +
                       "): lower the size or the number of frames.",
                   file);
}

Error errorFrom(const c10::Error& e, const std::filesystem::path& file = {}) {
  const std::string message = e.msg();
  // Older paths and cuBLAS/cuDNN report exhausted memory as a plain c10::Error.
  if (message.find("out of memory") != std::string::npos || message.find("DefaultCPUAllocator") != std::string::npos ||
      message.find("STATUS_ALLOC_FAILED") != std::string::npos)
    return makeError(ErrorKind::OutOfMemory,
                     "Out of memory (" + message.substr(0, message.find('\n')) +
                         "): lower the size or the number of frames.",
                     file);
  return makeError(ErrorKind::Internal, "The engine failed: " + message.substr(0, message.find('\n')), file);
}

std::string architectureName(ModelKind kind) {
  switch (kind) {
    case ModelKind::SD1: return "sd1";
    case ModelKind::SD2: return "sd2";
    case ModelKind::SD2VPrediction: return "sd2-v";
    default: return modelKindName(kind);
  }
}


}  // namespace

// The AnimateDiff pipeline borrows the SD pipeline and the motion UNet: Impl lives on the heap and never moves.
struct Engine::Impl {
  EngineInfo info;
  EngineOptions options;
  std::optional<SdPipeline> pipeline;
  std::optional<UNetMotion> motionUnet;
  std::optional<AnimateDiffPipeline> animateDiff;
  std::optional<SvdPipeline> svd;
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

const EngineInfo& Engine::info() const { return impl_->info; }

int defaultCpuThreads() {
  // A 2-thread generation beside two 1-thread trainings on 2 cores ran more than 10x slower than with one thread.
  const char* requested = std::getenv("OMP_NUM_THREADS");
  const int fromEnvironment = requested ? std::atoi(requested) : 0;
  return fromEnvironment > 0 ? fromEnvironment : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

Result<LoadOptions> engineLoadOptions(const EngineOptions& options) {
  const bool cuda = options.device == Device::Cuda || (options.device == Device::Auto && at::hasCUDA());
  if (options.device == Device::Cuda && !at::hasCUDA())
    return makeError(ErrorKind::FeatureUnsupported, "This Lanterna build has no CUDA support (CPU only).");
  if (!cuda) {
    // LibTorch starts with one thread here.
    at::set_num_threads(options.cpuThreads > 0 ? options.cpuThreads : defaultCpuThreads());
  }
  LoadOptions load;
  load.device = cuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
  load.dtype = options.precision == Precision::F16    ? at::kHalf
               : options.precision == Precision::BF16 ? at::kBFloat16
               : options.precision == Precision::F32  ? at::kFloat
               : cuda                                  ? at::kHalf
                                                       : at::kFloat;
  if (cuda && load.dtype == at::kFloat) {
    // Asking for fp32 means fp32: TF32 (cuDNN's default on Ampere and later) costs ~3 decimal digits.
    at::globalContext().setAllowTF32CuDNN(false);
    at::globalContext().setFloat32MatmulPrecision("highest");
  }
  return load;
}

std::string precisionName(at::ScalarType dtype) {
  return dtype == at::kHalf ? "fp16" : dtype == at::kBFloat16 ? "bf16" : "fp32";
}

Result<SdPipeline> openSdPipeline(const std::filesystem::path& model, const EngineOptions& options,
                                  EngineInfo& info) {
  auto chosen = engineLoadOptions(options);
  if (!chosen) return chosen.error();
  const LoadOptions& load = *chosen;
  const bool cuda = load.device.is_cuda();
  try {
    c10::InferenceMode inferenceMode;
    injectOutOfMemory("load");
    auto loaded = loadStableDiffusion(model, load);
    if (!loaded) return loaded.error();
    auto tokenizerFolder = findTokenizer(*loaded, options);
    if (!tokenizerFolder) return tokenizerFolder.error();
    auto tokenizer = ClipTokenizer::load(*tokenizerFolder);
    if (!tokenizer) return tokenizer.error();

    info.architecture = architectureName(loaded->info.kind);
    info.device = cuda ? "cuda:0" : "cpu";
    info.precision = precisionName(load.dtype);
    const int64_t side = loaded->unet->config().sampleSize * loaded->vae->config().downscale();
    info.defaultWidth = info.defaultHeight = static_cast<int>(side);
    if (loaded->info.recommendedCfgScale > 0) info.defaultCfgScale = loaded->info.recommendedCfgScale;
    if (loaded->info.recommendedSteps > 0) info.defaultSteps = loaded->info.recommendedSteps;

    SdComponents components{*loaded->unet, *loaded->vae,
                            ClipTextEncoder(ClipTextConfig::fromJson(loaded->textEncoderConfig), loaded->textEncoder),
                            std::move(*tokenizer), loaded->schedulerConfig};
    components.preview = previewForVae(*loaded->vae, info.architecture);
    return SdPipeline(std::move(components));
  } catch (const WeightsError& e) {
    return makeError(ErrorKind::FormatIncorrect, std::string("Cannot load the model: ") + e.what(), model);
  } catch (const SchedulerError& e) {
    return makeError(ErrorKind::FormatIncorrect, std::string("Cannot load the model's scheduler: ") + e.what(), model);
  } catch (const c10::OutOfMemoryError& e) {
    return outOfMemory(e, "loading the model", model);
  } catch (const c10::Error& e) {
    return errorFrom(e, model);
  } catch (const std::bad_alloc&) {
    return makeError(ErrorKind::OutOfMemory, "Not enough memory to load \"" + model.filename().string() + "\".",
                     model);
  }
}

namespace {

std::string modelName(const std::filesystem::path& model) {
  const auto name = model.filename();
  return name.empty() ? model.parent_path().filename().string() : name.string();
}

// An SD 1.x pipeline plus its motion adapter, when one is given or sits in the folder: AnimateDiff.
Status addMotionAdapter(Engine::Impl& impl, const std::filesystem::path& model) {
  auto load = engineLoadOptions(impl.options);
  if (!load) return load.error();
  auto adapter = findMotionAdapter(model, impl.options, *load);
  if (!adapter) return adapter.error();
  if (!*adapter) return Ok{};
  const auto& path = (*adapter)->info.path;
  if (impl.info.architecture == "sd2" || impl.info.architecture == "sd2-v")
    return makeError(ErrorKind::FeatureUnsupported,
                     "AnimateDiff motion modules work with Stable Diffusion 1.x models; \"" + impl.info.name +
                         "\" is " + impl.info.architecture + ".",
                     path);
  try {
    c10::InferenceMode inferenceMode;
    impl.motionUnet.emplace(UNetMotion::load(impl.pipeline->components().unet, (*adapter)->config, (*adapter)->weights));
  } catch (const WeightsError& e) {
    return makeError(ErrorKind::FormatIncorrect, std::string("Cannot use the motion module: ") + e.what(), path);
  }
  impl.animateDiff.emplace(*impl.pipeline, *impl.motionUnet);
  impl.info.supportsVideo = impl.info.supportsImageToVideo = true;
  impl.info.defaultFrames = static_cast<int>(std::min<int64_t>(16, impl.motionUnet->maxFrames()));
  impl.info.defaultFps = 8.0;
  return Ok{};
}

}  // namespace

Result<Engine> Engine::open(const std::filesystem::path& model, const EngineOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (isSvdModel(model)) {
    auto svd = openSvdPipeline(model, options, impl->info);
    if (!svd) return svd.error();
    impl->svd.emplace(std::move(*svd));
  } else {
    auto pipeline = openSdPipeline(model, options, impl->info);
    if (!pipeline) return pipeline.error();
    impl->pipeline.emplace(std::move(*pipeline));
  }
  impl->info.name = modelName(model);
  if (impl->pipeline)
    if (Status added = addMotionAdapter(*impl, model); !added) return added.error();
  return Engine(std::move(impl));
}

namespace {

// Memory a run may use beyond what is already resident; nullopt when unknown (no limit set, not on the CPU).
std::optional<std::uint64_t> memoryBudget(const Engine::Impl& impl) {
  if (impl.options.memoryLimitBytes > 0) return impl.options.memoryLimitBytes;
  if (impl.info.device == "cpu") return availableMemoryBytes();
  return std::nullopt;
}

}  // namespace

Result<GenerationOutput> Engine::generate(const GenerationRequest& asked, StepObserver* observer,
                                          const CancelToken& cancel) {
  GenerationRequest request = asked;
  if (impl_->svd && request.frames <= 1) request.frames = impl_->info.defaultFrames;
  if (const std::string problem = validateRequest(request, impl_->info); !problem.empty())
    return makeError(ErrorKind::InvalidArgument, problem);
  const auto budget = memoryBudget(*impl_);
  if (impl_->svd && budget) {
    // The SVD estimate counts the weights; a system's available memory does not include them any more.
    const int64_t weights = impl_->options.memoryLimitBytes > 0 ? 0 : impl_->svd->components().weightBytes;
    if (auto refusal = impl_->svd->refuseIfTooLarge(request, static_cast<int64_t>(*budget) + weights))
      return *refusal;
  } else if (budget) {
    // On the CPU an allocation past the available memory gets the process killed, not a bad_alloc: refuse first.
    // AnimateDiff holds one context window of frames in the UNet at a time.
    GenerationRequest shape = request;
    if (impl_->animateDiff) shape.frames = std::min(request.frames, impl_->info.defaultFrames);
    const std::uint64_t needed = estimateGenerationBytes(shape, impl_->info.precision == "fp32" ? 4 : 2);
    if (needed > *budget)
      return makeError(ErrorKind::OutOfMemory,
                       "This generation needs about " + formatGigabytes(needed) + " of memory but only " +
                           formatGigabytes(*budget) + " is available: lower the size or the number of frames.");
  }
  if (cancel.cancelled()) return makeError(ErrorKind::Cancelled, "Cancelled.");
  try {
    c10::InferenceMode inferenceMode;  // thread-local: set on the generating thread itself
    Result<GenerationOutput> output = impl_->svd                               ? impl_->svd->generate(request, observer, cancel)
                                      : request.frames > 1 && impl_->animateDiff ? impl_->animateDiff->generate(request, observer, cancel)
                                                                                 : impl_->pipeline->generate(request, observer, cancel);
    if (output) output->device = impl_->info.device;
    return output;
  } catch (const SchedulerError& e) {
    return makeError(ErrorKind::InvalidArgument, e.what());
  } catch (const WeightsError& e) {
    return makeError(ErrorKind::FormatIncorrect, e.what());
  } catch (const c10::OutOfMemoryError& e) {
    return outOfMemory(e, "generating");
  } catch (const c10::Error& e) {
    return errorFrom(e);
  } catch (const std::bad_alloc&) {
    return makeError(ErrorKind::OutOfMemory, "Not enough memory for this generation: lower the size or frames.");
  }
}

}  // namespace lanterna::inference
