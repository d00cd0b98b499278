// Euler ancestral as diffusers' EulerAncestralDiscreteScheduler: an Euler step down to sigma_down, then fresh
// noise of size sigma_up, every step. Default spacing 'linspace'; timesteps are float32.
#include <cmath>

#include "noise_schedule.h"
#include "scheduler.h"

namespace lanterna::inference {
namespace {

class EulerAncestralScheduler final : public Scheduler {
 public:
  explicit EulerAncestralScheduler(const SchedulerConfig& config) : config_(config) {
    trainSigmas_ = toDoubles(trainSigmas(trainAlphasCumprod(config)));
  }

  std::string name() const override { return "euler_a"; }

  void setTimesteps(int numSteps) override {
    if (numSteps < 1 || numSteps > config_.numTrainTimesteps)
      throw SchedulerError("euler_a: steps must be 1.." + std::to_string(config_.numTrainTimesteps));
    const auto t = spacedTimesteps(config_, numSteps, SpacingRule::Euler, TimestepSpacing::Linspace);
    std::vector<float> sigmas;
    for (double v : t) sigmas.push_back(static_cast<float>(interpolate(trainSigmas_, static_cast<float>(v))));
    sigmas.push_back(0.0f);
    timesteps_ = at::tensor(std::vector<float>(t.begin(), t.end()), at::kFloat);
    sigmas_ = at::tensor(sigmas, at::kFloat);
    sigmaValues_.assign(sigmas.begin(), sigmas.end());
  }

  double initNoiseSigma() const override { return eulerInitNoiseSigma(sigmas_, config_.spacing); }

  at::Tensor scaleModelInput(const at::Tensor& sample, int stepIndex) const override {
    checkStepIndex(stepIndex);
    return eulerScaleModelInput(sample, sigmaValues_[stepIndex]);
  }

  at::Tensor step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample, StepNoise& noise) override {
    checkStepIndex(stepIndex);
    const double sigma = sigmaValues_[stepIndex], sigmaTo = sigmaValues_[stepIndex + 1];
    const at::Tensor predOriginal = eulerPredictOriginal(config_.predictionType, sigma, modelOutput, sample);
    const double sigmaUp = std::sqrt(sigmaTo * sigmaTo * (sigma * sigma - sigmaTo * sigmaTo) / (sigma * sigma));
    const double sigmaDown = std::sqrt(std::max(sigmaTo * sigmaTo - sigmaUp * sigmaUp, 0.0));
    const at::Tensor derivative = (sample - predOriginal) / sigma;
    const at::Tensor prev = sample + derivative * (sigmaDown - sigma);
    return prev + noise.draw(modelOutput) * sigmaUp;
  }

  at::Tensor addNoise(const at::Tensor& original, const at::Tensor& noise, int stepIndex) const override {
    checkStepIndex(stepIndex);
    return original + noise * sigmaValues_[stepIndex];
  }

 private:
  SchedulerConfig config_;
  std::vector<double> trainSigmas_;
  std::vector<double> sigmaValues_;
};

}  // namespace

std::unique_ptr<Scheduler> makeEulerAncestralScheduler(const SchedulerConfig& config) {
  return std::make_unique<EulerAncestralScheduler>(config);
}

}  // namespace lanterna::inference
