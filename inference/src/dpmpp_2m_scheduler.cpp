// DPM-Solver++(2M) (Lu et al. 2022) as diffusers v0.25's DPMSolverMultistepScheduler with algorithm_type
// "dpmsolver++", solver_type "midpoint", solver_order 2. Its sigma table ends with a NON-zero entry (train step
// 0's sigma, or a copy of the last Karras sigma) exactly as that version does. Default spacing 'linspace'.
#include <array>
#include <cmath>

#include "noise_schedule.h"
#include "scheduler.h"

namespace lanterna::inference {
namespace {

class Dpmpp2mScheduler final : public Scheduler {
 public:
  explicit Dpmpp2mScheduler(const SchedulerConfig& config) : config_(config) {
    alphasCumprod_ = trainAlphasCumprod(config);
    alphaValues_ = toDoubles(alphasCumprod_);
  }

  std::string name() const override { return config_.useKarrasSigmas ? "dpmpp_2m_karras" : "dpmpp_2m"; }

  void setTimesteps(int numSteps) override {
    if (numSteps < 1 || numSteps >= config_.numTrainTimesteps)
      throw SchedulerError(name() + ": steps must be 1.." + std::to_string(config_.numTrainTimesteps - 1));
    std::vector<double> t = spacedTimesteps(config_, numSteps, SpacingRule::Dpm, TimestepSpacing::Linspace);
    const at::Tensor trainSigma = trainSigmas(alphasCumprod_);  // float32, increasing with t
    const std::vector<double> table = toDoubles(trainSigma);
    std::vector<float> sigmas;
    if (config_.useKarrasSigmas) {
      const at::Tensor logTable = trainSigma.log();
      const std::vector<float> logSigmas(logTable.data_ptr<float>(), logTable.data_ptr<float>() + logTable.numel());
      const auto karras = karrasSigmas(table.front(), table.back(), numSteps);
      for (std::size_t i = 0; i < karras.size(); ++i) {
        t[i] = roundHalfEven(sigmaToTimestep(karras[i], logSigmas));
        sigmas.push_back(static_cast<float>(karras[i]));
      }
      sigmas.push_back(sigmas.back());  // v0.25: the last step maps sigma to itself (an identity step)
    } else {
      for (double v : t) sigmas.push_back(static_cast<float>(interpolate(table, v)));
      sigmas.push_back(trainSigma[0].item<float>());  // v0.25: ends at train step 0's sigma, not zero
    }
    timesteps_ = at::tensor(std::vector<std::int64_t>(t.begin(), t.end()), at::kLong);
    sigmas_ = at::tensor(sigmas, at::kFloat);
    sigmaValues_.assign(sigmas.begin(), sigmas.end());
    history_ = {};
    lowerOrderCount_ = 0;
  }

  at::Tensor step(const at::Tensor& modelOutput, int stepIndex, const at::Tensor& sample, StepNoise&) override {
    checkStepIndex(stepIndex);
    const int count = stepCount();
    const bool shortRun = config_.lowerOrderFinal && count < 15;
    const bool lowerOrderFinal = stepIndex == count - 1 && (config_.eulerAtFinal || shortRun);

    // Convert the model output to a data prediction x0.
    const auto [alphaS0, sigmaS0] = alphaSigma(sigmaValues_[stepIndex]);
    at::Tensor x0;
    switch (config_.predictionType) {
      case PredictionType::Epsilon:
        x0 = (sample - sigmaS0 * modelOutput) / alphaS0;
        break;
      case PredictionType::Sample:
        x0 = modelOutput;
        break;
      case PredictionType::VPrediction:
        x0 = alphaS0 * sample - sigmaS0 * modelOutput;
        break;
    }
    history_[0] = history_[1];
    history_[1] = x0;

    const auto [alphaT, sigmaT] = alphaSigma(sigmaValues_[stepIndex + 1]);
    const double lambdaT = std::log(alphaT) - std::log(sigmaT);
    const double lambdaS0 = std::log(alphaS0) - std::log(sigmaS0);
    const double h = lambdaT - lambdaS0;
    at::Tensor prev = (sigmaT / sigmaS0) * sample - (alphaT * (std::exp(-h) - 1.0)) * x0;
    if (lowerOrderCount_ >= 1 && !lowerOrderFinal && stepIndex >= 1) {
      // Midpoint second-order correction from the previous data prediction.
      const auto [alphaS1, sigmaS1] = alphaSigma(sigmaValues_[stepIndex - 1]);
      const double lambdaS1 = std::log(alphaS1) - std::log(sigmaS1);
      const double r0 = (lambdaS0 - lambdaS1) / h;
      const at::Tensor d1 = (1.0 / r0) * (history_[1] - history_[0]);
      prev = prev - 0.5 * (alphaT * (std::exp(-h) - 1.0)) * d1;
    }
    if (lowerOrderCount_ < 2) ++lowerOrderCount_;
    return prev;
  }

  at::Tensor addNoise(const at::Tensor& original, const at::Tensor& noise, int stepIndex) const override {
    checkStepIndex(stepIndex);
    const double alpha = alphaValues_.at(timesteps_[stepIndex].item<std::int64_t>());
    return std::sqrt(alpha) * original + std::sqrt(1.0 - alpha) * noise;
  }

 private:
  static std::pair<double, double> alphaSigma(double sigma) {
    const double alpha = 1.0 / std::sqrt(sigma * sigma + 1.0);
    return {alpha, sigma * alpha};
  }

  SchedulerConfig config_;
  at::Tensor alphasCumprod_;
  std::vector<double> alphaValues_;
  std::vector<double> sigmaValues_;
  std::array<at::Tensor, 2> history_;
  int lowerOrderCount_ = 0;
};

}  // namespace

std::unique_ptr<Scheduler> makeDpmpp2mScheduler(const SchedulerConfig& config) {
  return std::make_unique<Dpmpp2mScheduler>(config);
}

}  // namespace lanterna::inference
