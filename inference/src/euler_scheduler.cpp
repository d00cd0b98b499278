// Euler (Karras et al. 2022, Algorithm 2 without churn) as diffusers' EulerDiscreteScheduler, including Karras
// sigmas and EDM-style continuous timesteps (SVD). Default spacing 'linspace'; timesteps are float32.
#include <cmath>

#include "noise_schedule.h"
#include "scheduler.h"

namespace lanterna::inference {
namespace {

class EulerScheduler final : public Scheduler {
 public:
  explicit EulerScheduler(const SchedulerConfig& config) : config_(config) {
    trainSigmas_ = trainSigmas(trainAlphasCumprod(config));
  }

  std::string name() const override { return "euler"; }

  void setTimesteps(int numSteps) override {
    if (numSteps < 1 || numSteps > config_.numTrainTimesteps)
      throw SchedulerError("euler: steps must be 1.." + std::to_string(config_.numTrainTimesteps));
    std::vector<double> t = spacedTimesteps(config_, numSteps, SpacingRule::Euler, TimestepSpacing::Linspace);
    const std::vector<double> table = toDoubles(trainSigmas_);
    std::vector<double> sigmas;
    for (double v : t) sigmas.push_back(interpolate(table, static_cast<float>(v)));
    if (config_.useKarrasSigmas) {
      const double sigmaMin = config_.sigmaMin.value_or(sigmas.back());
      const double sigmaMax = config_.sigmaMax.value_or(sigmas.front());
      sigmas = karrasSigmas(sigmaMin, sigmaMax, numSteps);
      const at::Tensor logTable = trainSigmas_.log();
      const std::vector<float> logSigmas(logTable.data_ptr<float>(), logTable.data_ptr<float>() + logTable.numel());
      for (std::size_t i = 0; i < sigmas.size(); ++i) t[i] = sigmaToTimestep(sigmas[i], logSigmas);
    }
    std::vector<float> sigma32(sigmas.begin(), sigmas.end());
    const at::Tensor sigmaTensor = at::tensor(sigma32, at::kFloat);
    if (config_.continuousTimesteps && config_.predictionType == PredictionType::VPrediction)
      timesteps_ = sigmaTensor.log() * 0.25;  // EDM: the model is conditioned on log(sigma)/4
    else
      timesteps_ = at::tensor(std::vector<float>(t.begin(), t.end()), at::kFloat);
    sigmas_ = at::cat({sigmaTensor, at::zeros({1}, at::kFloat)});
    sigmaValues_ = toDoubles(sigmas_);
  }

  double initNoiseSigma() const override { return eulerInitNoiseSigma(sigmas_, config_.spacing); }

  at::Tensor scaleModelInput(const at::Tensor& sample, int stepIndex) const override {
    checkStepIndex(stepIndex);
    return eulerScaleModelInput(sample, sigmaValues_[stepIndex]);
  }

  at::Tensor step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample, StepNoise&) override {
    checkStepIndex(stepIndex);
    const double sigma = sigmaValues_[stepIndex], sigmaNext = sigmaValues_[stepIndex + 1];
    const at::Tensor predOriginal = eulerPredictOriginal(config_.predictionType, sigma, modelOutput, sample);
    const at::Tensor derivative = (sample - predOriginal) / sigma;
    return sample + derivative * (sigmaNext - sigma);
  }

  at::Tensor addNoise(const at::Tensor& original, const at::Tensor& noise, int stepIndex) const override {
    checkStepIndex(stepIndex);
    return original + noise * sigmaValues_[stepIndex];
  }

 private:
  SchedulerConfig config_;
  at::Tensor trainSigmas_;
  std::vector<double> sigmaValues_;
};

}  // namespace

std::unique_ptr<Scheduler> makeEulerScheduler(const SchedulerConfig& config) {
  return std::make_unique<EulerScheduler>(config);
}

}  // namespace lanterna::inference
