// Diffusion schedulers (diffusers v0.25 semantics): one interface, one file per algorithm. Usage:
//   auto scheduler = makeScheduler("dpmpp_2m_karras", schedulerConfigJson);   // Result<std::unique_ptr<Scheduler>>
//   (*scheduler)->setTimesteps(25);
//   StepNoise noise(generator);                              // or StepNoise(recordedDraws), or StepNoise{} if unused
//   latents = latents * (*scheduler)->initNoiseSigma();
//   for (int i = 0; i < (*scheduler)->stepCount(); ++i) {
//     auto eps = unet(scheduler->scaleModelInput(latents, i), scheduler->timestepValue(i));
//     latents = scheduler->step(eps, i, latents, noise);
//   }
// img2img: start = img2imgStartIndex(strength); latents = addNoise(init, noise, start); loop i = start..count-1.
// A scheduler keeps per-run state (multistep history): one run, one thread at a time; setTimesteps() resets it.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "lanterna/result.h"

namespace lanterna::inference {

class SchedulerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class TimestepSpacing { Unset, Leading, Linspace, Trailing };
enum class PredictionType { Epsilon, VPrediction, Sample };
enum class BetaSchedule { Linear, ScaledLinear, SquaredCosCapV2, Trained };

// The diffusers scheduler_config.json fields Lanterna uses (any scheduler class's config is accepted, as
// diffusers' from_config does); unset fields keep diffusers' defaults.
struct SchedulerConfig {
  int numTrainTimesteps = 1000;
  double betaStart = 0.0001, betaEnd = 0.02;
  BetaSchedule betaSchedule = BetaSchedule::Linear;
  std::vector<double> trainedBetas;
  PredictionType predictionType = PredictionType::Epsilon;
  TimestepSpacing spacing = TimestepSpacing::Unset;  // Unset: the algorithm's own default
  int stepsOffset = 0;
  bool setAlphaToOne = true;
  bool rescaleBetasZeroSnr = false;
  bool clipSample = false;
  double clipSampleRange = 1.0;
  double eta = 0.0;                               // DDIM
  bool useKarrasSigmas = false;                   // Euler, DPM++
  std::optional<double> sigmaMin, sigmaMax;       // Euler (Karras range)
  bool continuousTimesteps = false;               // Euler: model timestep 0.25*log(sigma) (EDM / SVD)
  bool lowerOrderFinal = true, eulerAtFinal = false;  // DPM++
  int originalInferenceSteps = 50;                // LCM
  double timestepScaling = 10.0;                  // LCM

  // Throws SchedulerError naming the offending field.
  static SchedulerConfig fromJson(const nlohmann::json& json);
};

// Where a stochastic step gets its Gaussian noise: recorded draws replayed in order, or a seeded generator.
class StepNoise {
 public:
  StepNoise() = default;  // no randomness: a step that needs noise throws SchedulerError
  explicit StepNoise(at::Generator generator) : generator_(std::move(generator)) {}
  explicit StepNoise(std::vector<at::Tensor> draws) : draws_(std::move(draws)) {}
  // Standard normal noise shaped like `like`, on its device and dtype (drawn in float32 on the generator's device).
  at::Tensor draw(const at::Tensor& like);
  int drawCount() const { return used_; }

 private:
  std::optional<at::Generator> generator_;
  std::vector<at::Tensor> draws_;
  int used_ = 0;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual std::string name() const = 0;

  // Builds the schedule for numSteps inference steps and resets any history. Throws SchedulerError when the
  // algorithm cannot make that many steps.
  virtual void setTimesteps(int numSteps) = 0;
  // Decreasing; int64 for DDIM/DPM++/LCM, float32 for the Euler family (as diffusers stores them).
  const at::Tensor& timesteps() const { return timesteps_; }
  int stepCount() const { return static_cast<int>(timesteps_.numel()); }
  double timestepValue(int stepIndex) const;  // the timestep the model is conditioned on at this step
  // Euler family and DPM++: sigma per step plus a final entry; undefined for DDIM and LCM.
  const at::Tensor& sigmas() const { return sigmas_; }

  virtual double initNoiseSigma() const { return 1.0; }
  virtual at::Tensor scaleModelInput(const at::Tensor& sample, int stepIndex) const;
  virtual at::Tensor step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample,
                          StepNoise& noise) = 0;
  // Noises clean latents to the level of step stepIndex (img2img, inpainting).
  virtual at::Tensor addNoise(const at::Tensor& original, const at::Tensor& noise, int stepIndex) const = 0;
  // StableDiffusionImg2ImgPipeline.get_timesteps: the first step index to run for this strength (0..1].
  int img2imgStartIndex(double strength) const;

 protected:
  void checkStepIndex(int stepIndex) const;
  at::Tensor timesteps_;
  at::Tensor sigmas_;
};

// Names users know: euler, euler_a, ddim, dpmpp_2m, dpmpp_2m_karras, lcm. spacing overrides the config's
// timestep_spacing (LCM has its own schedule and ignores it). Unknown names are refused with the valid list.
Result<std::unique_ptr<Scheduler>> makeScheduler(const std::string& name, const nlohmann::json& config,
                                                 TimestepSpacing spacing = TimestepSpacing::Unset);
std::vector<std::string> schedulerNames();
Result<TimestepSpacing> parseTimestepSpacing(const std::string& text);

// Per-algorithm constructors (one file each); the config is validated by makeScheduler.
std::unique_ptr<Scheduler> makeDdimScheduler(const SchedulerConfig& config);
std::unique_ptr<Scheduler> makeEulerScheduler(const SchedulerConfig& config);
std::unique_ptr<Scheduler> makeEulerAncestralScheduler(const SchedulerConfig& config);
std::unique_ptr<Scheduler> makeDpmpp2mScheduler(const SchedulerConfig& config);
std::unique_ptr<Scheduler> makeLcmScheduler(const SchedulerConfig& config);

}  // namespace lanterna::inference
