// Latent Consistency Model sampling (Luo et al. 2023) as diffusers' LCMScheduler: timesteps picked from the
// distillation schedule (every T/original_inference_steps), consistency boundary scalings, fresh noise after
// every step but the last.
#include <cmath>

#include "noise_schedule.h"
#include "scheduler.h"

namespace lanterna::inference {
namespace {

constexpr double kSigmaData = 0.5;

class LcmScheduler final : public Scheduler {
 public:
  explicit LcmScheduler(const SchedulerConfig& config)
      : config_(config), alphasCumprod_(toDoubles(trainAlphasCumprod(config))) {
    finalAlphaCumprod_ = config.setAlphaToOne ? 1.0 : alphasCumprod_.front();
  }

  std::string name() const override { return "lcm"; }

  void setTimesteps(int numSteps) override {
    const int original = config_.originalInferenceSteps;
    const int skip = original > 0 ? config_.numTrainTimesteps / original : 0;
    if (numSteps < 1 || skip < 1 || numSteps > original)
      throw SchedulerError("lcm: steps must be 1.." + std::to_string(original) + " (original_inference_steps)");
    // Distillation timesteps k-1, 2k-1, ..., reversed; then numSteps evenly spaced picks (floor of linspace).
    std::vector<std::int64_t> picked;
    for (int i = 0; i < numSteps; ++i) {
      const auto index = static_cast<std::int64_t>(std::floor(double(original) / numSteps * i));
      picked.push_back(static_cast<std::int64_t>(original - index) * skip - 1);
    }
    timesteps_ = at::tensor(picked, at::kLong);
  }

  at::Tensor step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample, StepNoise& noise) override {
    checkStepIndex(stepIndex);
    const bool last = stepIndex == stepCount() - 1;
    const auto t = timesteps_[stepIndex].item<std::int64_t>();
    const std::int64_t prevT = last ? t : timesteps_[stepIndex + 1].item<std::int64_t>();
    const double alpha = alphasCumprod_.at(t);
    const double alphaPrev = prevT >= 0 ? alphasCumprod_.at(prevT) : finalAlphaCumprod_;
    const double beta = 1.0 - alpha;

    // Boundary condition scalings c_skip, c_out at the scaled timestep.
    const double scaled = static_cast<double>(t) * config_.timestepScaling;
    const double cSkip = kSigmaData * kSigmaData / (scaled * scaled + kSigmaData * kSigmaData);
    const double cOut = scaled / std::sqrt(scaled * scaled + kSigmaData * kSigmaData);

    at::Tensor predOriginal;
    switch (config_.predictionType) {
      case PredictionType::Epsilon:
        predOriginal = (sample - std::sqrt(beta) * modelOutput) / std::sqrt(alpha);
        break;
      case PredictionType::Sample:
        predOriginal = modelOutput;
        break;
      case PredictionType::VPrediction:
        predOriginal = std::sqrt(alpha) * sample - std::sqrt(beta) * modelOutput;
        break;
    }
    if (config_.clipSample) predOriginal = predOriginal.clamp(-config_.clipSampleRange, config_.clipSampleRange);
    const at::Tensor denoised = cOut * predOriginal + cSkip * sample;
    if (last) return denoised;
    return std::sqrt(alphaPrev) * denoised + std::sqrt(1.0 - alphaPrev) * noise.draw(modelOutput);
  }

  at::Tensor addNoise(const at::Tensor& original, const at::Tensor& noise, int stepIndex) const override {
    checkStepIndex(stepIndex);
    const double alpha = alphasCumprod_.at(timesteps_[stepIndex].item<std::int64_t>());
    return std::sqrt(alpha) * original + std::sqrt(1.0 - alpha) * noise;
  }

 private:
  SchedulerConfig config_;
  std::vector<double> alphasCumprod_;
  double finalAlphaCumprod_ = 1.0;
};

}  // namespace

std::unique_ptr<Scheduler> makeLcmScheduler(const SchedulerConfig& config) {
  return std::make_unique<LcmScheduler>(config);
}

}  // namespace lanterna::inference
