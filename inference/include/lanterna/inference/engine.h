// Generates images and clips from a loaded model. Usage:
//   auto engine = Engine::open("models/dreamy_v2.safetensors", EngineOptions{});   // Result<Engine>
//   GenerationRequest request; request.prompt = "a red circle on a black background";
//   auto output = engine->generate(request, observer, cancel);                     // Result<GenerationOutput>
// An Engine is used by one thread at a time (the app's generation thread); CancelToken::cancel() may be called
// from any thread, and StepObserver::onStep() is called on the generating thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lanterna/result.h"

namespace lanterna::inference {

// 8-bit RGB, row-major, no padding: what the UI shows and the exporter encodes.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  // width * height * 3
  bool empty() const { return rgb.empty(); }
};

enum class Device { Auto, Cpu, Cuda };
enum class Precision { Unset, F32, F16, BF16 };  // Unset: fp16 on CUDA, fp32 on CPU

// The CPU thread count when none is asked for: $OMP_NUM_THREADS when it is a positive number, else all cores.
// (On a machine whose cores other processes keep busy, OpenMP threads spin at barriers: fewer can be faster.)
int defaultCpuThreads();

struct EngineOptions {
  Device device = Device::Auto;
  Precision precision = Precision::Unset;
  int cpuThreads = 0;  // 0: $OMP_NUM_THREADS when set, else all cores
  // Folders searched for shared files a single-file checkpoint lacks (e.g. the CLIP tokenizer).
  std::vector<std::filesystem::path> modelFolders;
  // An AnimateDiff motion module (guoyww .safetensors or a diffusers MotionAdapter folder) added to an SD 1.x
  // model: the engine then makes clips (text-to-video, and image-to-video by pinning the first frame). A diffusers
  // folder with its own motion_adapter/ needs none.
  std::filesystem::path motionModule;
  // Memory a run may use; 0: what the system has available (MemAvailable on the CPU). Video runs that need more
  // are refused before they start, with a smaller setting that would fit.
  std::uint64_t memoryLimitBytes = 0;
};

struct GenerationRequest {
  std::string prompt;
  std::string negativePrompt;
  std::string sampler = "euler_a";  // euler, euler_a, ddim, dpmpp_2m, dpmpp_2m_karras, lcm
  bool trailingSpacing = false;
  int steps = 20;
  double cfgScale = 7.0;
  std::uint64_t seed = 0;
  int width = 512;
  int height = 512;
  int frames = 1;        // > 1: a clip (video models)
  double fps = 8.0;
  int clipSkip = 1;      // 2: penultimate CLIP layer, as A1111's "clip skip 2"
  // img2img / image-to-video: the init image (resized to width x height) and how much of it is replaced.
  std::optional<Image> initImage;
  double strength = 0.75;
  double motionAmount = 0.5;  // video models: motion bucket / motion scale, 0..1
  // Stable Video Diffusion: noise added to the conditioning image, and the guidance ramp from the first frame to
  // the last (cfgScale does not apply).
  double noiseAugStrength = 0.02;
  double minGuidanceScale = 1.0;
  double maxGuidanceScale = 3.0;
};

// Why a request cannot run; empty when it is valid. Checked before any work starts.
std::string validateRequest(const GenerationRequest& request);
struct EngineInfo;
// The same, plus what this engine can do (clips at all, an image required).
std::string validateRequest(const GenerationRequest& request, const EngineInfo& engine);

struct StepInfo {
  int step = 0;        // 1-based: this many steps are done
  int totalSteps = 0;
  double elapsedSeconds = 0.0;
  // Cheap preview of the current denoised estimate, one image per frame (empty if previews are off).
  std::vector<Image> preview;
};

class StepObserver {
 public:
  virtual void onStep(const StepInfo& step) = 0;
  virtual ~StepObserver() = default;
};

class CancelToken {
 public:
  void cancel() { flag_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_.load(std::memory_order_relaxed); }
  void reset() { flag_.store(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> flag_{false};
};

struct GenerationOutput {
  std::vector<Image> frames;  // one for an image
  double seconds = 0.0;
  std::string device;         // "cpu", "cuda:0"
};

struct EngineInfo {
  std::string name;           // the model's file or folder name, for messages
  std::string architecture;   // "sd1", "sd2", "sd2-v", "toyworld", ...
  std::string device;
  std::string precision;
  int defaultWidth = 512;
  int defaultHeight = 512;
  bool supportsVideo = false;          // frames > 1 can be asked for
  bool supportsImageToVideo = false;   // a clip from request.initImage (SVD; AnimateDiff by first-frame pinning)
  bool requiresImage = false;          // SVD: every request needs initImage
  int defaultFrames = 1;
  double defaultFps = 8.0;
  // What the model's folder recommends (ModelInfo::recommendedCfgScale/Steps), else SD's usual settings; callers
  // use them when the user sets none.
  double defaultCfgScale = 7.0;
  int defaultSteps = 20;
};

class Engine {
 public:
  // A diffusers folder or a single-file checkpoint (SD 1.x/2.x, SD 1.x + motion module, Stable Video Diffusion
  // folder). Errors name the file and say what is wrong or missing.
  static Result<Engine> open(const std::filesystem::path& model, const EngineOptions& options = {});

  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  const EngineInfo& info() const;
  // frames > 1 (or any request to an SVD model) makes a clip; frames == 1 on SVD means info().defaultFrames.
  // Outcome Cancelled is an Error of kind ErrorKind::Cancelled: returned within one step of cancel().
  Result<GenerationOutput> generate(const GenerationRequest& request, StepObserver* observer,
                                    const CancelToken& cancel);

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lanterna::inference
