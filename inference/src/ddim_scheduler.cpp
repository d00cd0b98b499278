// DDIM (Song et al. 2020) as diffusers' DDIMScheduler: deterministic for eta = 0, v-prediction and zero-terminal-SNR
// tables supported. Default spacing 'leading'.
#include <cmath>

#include "noise_schedule.h"
#include "scheduler.h"

namespace lanterna::inference {
namespace {

class DdimScheduler final : public Scheduler {
 public:
  explicit DdimScheduler(const SchedulerConfig& config)
      : config_(config), alphasCumprod_(toDoubles(trainAlphasCumprod(config))) {
    finalAlphaCumprod_ = config.setAlphaToOne ? 1.0 : alphasCumprod_.front();
  }

  std::string name() const override { return "ddim"; }

  void setTimesteps(int numSteps) override {
    if (numSteps < 1 || numSteps > config_.numTrainTimesteps)
      throw SchedulerError("ddim: steps must be 1.." + std::to_string(config_.numTrainTimesteps));
    const auto t = spacedTimesteps(config_, numSteps, SpacingRule::Ddim, TimestepSpacing::Leading);
    timesteps_ = at::tensor(std::vector<std::int64_t>(t.begin(), t.end()), at::kLong);
    stepRatio_ = config_.numTrainTimesteps / numSteps;
  }

  at::Tensor step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample, StepNoise& noise) override {
    checkStepIndex(stepIndex);
    const auto t = timesteps_[stepIndex].item<std::int64_t>();
    const std::int64_t prevT = t - stepRatio_;
    const double alpha = alphaAt(t);
    const double alphaPrev = prevT >= 0 ? alphaAt(prevT) : finalAlphaCumprod_;
    const double beta = 1.0 - alpha;

    at::Tensor predOriginal, predEpsilon;
    switch (config_.predictionType) {
      case PredictionType::Epsilon:
        predOriginal = (sample - std::sqrt(beta) * modelOutput) / std::sqrt(alpha);
        predEpsilon = modelOutput;
        break;
      case PredictionType::Sample:
        predOriginal = modelOutput;
        predEpsilon = (sample - std::sqrt(alpha) * predOriginal) / std::sqrt(beta);
        break;
      case PredictionType::VPrediction:
        predOriginal = std::sqrt(alpha) * sample - std::sqrt(beta) * modelOutput;
        predEpsilon = std::sqrt(alpha) * modelOutput + std::sqrt(beta) * sample;
        break;
    }
    if (config_.clipSample) predOriginal = predOriginal.clamp(-config_.clipSampleRange, config_.clipSampleRange);

    const double variance = (1.0 - alphaPrev) / (1.0 - alpha) * (1.0 - alpha / alphaPrev);
    const double stdDev = config_.eta * std::sqrt(std::max(variance, 0.0));
    at::Tensor prev = std::sqrt(alphaPrev) * predOriginal +
                      std::sqrt(std::max(1.0 - alphaPrev - stdDev * stdDev, 0.0)) * predEpsilon;
    if (config_.eta > 0.0) prev = prev + stdDev * noise.draw(modelOutput);
    return prev;
  }

  at::Tensor addNoise(const at::Tensor& original, const at::Tensor& noise, int stepIndex) const override {
    checkStepIndex(stepIndex);
    const double alpha = alphaAt(timesteps_[stepIndex].item<std::int64_t>());
    return std::sqrt(alpha) * original + std::sqrt(1.0 - alpha) * noise;
  }

 private:
  double alphaAt(std::int64_t t) const { return alphasCumprod_.at(static_cast<std::size_t>(t)); }

  SchedulerConfig config_;
  std::vector<double> alphasCumprod_;
  double finalAlphaCumprod_ = 1.0;
  std::int64_t stepRatio_ = 1;
};

}  // namespace

std::unique_ptr<Scheduler> makeDdimScheduler(const SchedulerConfig& config) {
  return std::make_unique<DdimScheduler>(config);
}

}  // namespace lanterna::inference
