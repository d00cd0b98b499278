#include "noise_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lanterna::inference {
namespace {

// Zero terminal SNR (Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps are Flawed"):
// shift and scale sqrt(alpha_bar) so the last step is pure noise while the first is unchanged.
at::Tensor rescaleZeroTerminalSnr(const at::Tensor& betas) {
  at::Tensor alphaBarSqrt = at::cumprod(1.0 - betas, 0).sqrt();
  const at::Tensor first = alphaBarSqrt[0].clone(), last = alphaBarSqrt[-1].clone();
  alphaBarSqrt = (alphaBarSqrt - last) * (first / (first - last));
  const at::Tensor alphaBar = alphaBarSqrt.pow(2);
  const at::Tensor alphas = at::cat({alphaBar.narrow(0, 0, 1), alphaBar.slice(0, 1) / alphaBar.slice(0, 0, -1)});
  return 1.0 - alphas;
}

// numpy.arange(start, stop, step) for a negative step: ceil((stop-start)/step) values start + i*step.
std::vector<double> descendingRange(double start, double stop, double step) {
  const auto count = static_cast<long>(std::ceil((stop - start) / -step));
  std::vector<double> values;
  for (long i = 0; i < count; ++i) values.push_back(start + static_cast<double>(i) * -step);
  return values;
}

// numpy.linspace(start, stop, num) in float64 (endpoint included, set exactly).
std::vector<double> linspace(double start, double stop, int num) {
  std::vector<double> values(num);
  const double step = num > 1 ? (stop - start) / (num - 1) : 0.0;
  for (int i = 0; i < num; ++i) values[i] = start + i * step;
  if (num > 1) values.back() = stop;
  return values;
}

}  // namespace

double roundHalfEven(double value) { return std::nearbyint(value); }

at::Tensor trainBetas(const SchedulerConfig& config) {
  const int steps = config.numTrainTimesteps;
  at::Tensor betas;
  switch (config.betaSchedule) {
    case BetaSchedule::Linear:
      betas = at::linspace(config.betaStart, config.betaEnd, steps, at::kFloat);
      break;
    case BetaSchedule::ScaledLinear:
      betas = at::linspace(std::sqrt(config.betaStart), std::sqrt(config.betaEnd), steps, at::kFloat).pow(2);
      break;
    case BetaSchedule::SquaredCosCapV2: {
      auto alphaBar = [](double t) { return std::pow(std::cos((t + 0.008) / 1.008 * std::numbers::pi / 2), 2); };
      std::vector<float> values;
      for (int i = 0; i < steps; ++i)
        values.push_back(static_cast<float>(
            std::min(1.0 - alphaBar(double(i + 1) / steps) / alphaBar(double(i) / steps), 0.999)));
      betas = at::tensor(values, at::kFloat);
      break;
    }
    case BetaSchedule::Trained: {
      std::vector<float> values(config.trainedBetas.begin(), config.trainedBetas.end());
      betas = at::tensor(values, at::kFloat);
      break;
    }
  }
  return config.rescaleBetasZeroSnr ? rescaleZeroTerminalSnr(betas) : betas;
}

at::Tensor trainAlphasCumprod(const SchedulerConfig& config) { return at::cumprod(1.0 - trainBetas(config), 0); }

at::Tensor noiseToTimesteps(const at::Tensor& alphasCumprod, const at::Tensor& clean, const at::Tensor& noise,
                            const at::Tensor& t) {
  std::vector<int64_t> shape(static_cast<std::size_t>(clean.dim()), 1);
  shape[0] = clean.size(0);
  const at::Tensor alpha = alphasCumprod.index_select(0, t).view(shape);
  return alpha.sqrt() * clean + (1.0 - alpha).sqrt() * noise;
}

at::Tensor trainSigmas(const at::Tensor& alphasCumprod) {
  return ((1.0 - alphasCumprod) / alphasCumprod).sqrt();
}

std::vector<double> spacedTimesteps(const SchedulerConfig& config, int numSteps, SpacingRule rule,
                                    TimestepSpacing fallback) {
  const TimestepSpacing spacing = config.spacing == TimestepSpacing::Unset ? fallback : config.spacing;
  const int trainSteps = config.numTrainTimesteps;
  // DPM-Solver spaces N+1 points and drops the last (lambda_min_clipped=-inf keeps all train steps).
  const int points = rule == SpacingRule::Dpm ? numSteps + 1 : numSteps;
  std::vector<double> t;
  switch (spacing) {
    case TimestepSpacing::Unset:
    case TimestepSpacing::Linspace:
      t = linspace(0, trainSteps - 1, points);
      if (rule != SpacingRule::Euler)
        for (double& v : t) v = roundHalfEven(v);
      std::reverse(t.begin(), t.end());
      break;
    case TimestepSpacing::Leading: {
      const int ratio = trainSteps / points;
      for (int i = points - 1; i >= 0; --i) t.push_back(double(i * ratio + config.stepsOffset));
      break;
    }
    case TimestepSpacing::Trailing:
      for (double v : descendingRange(trainSteps, 0, double(trainSteps) / numSteps)) t.push_back(roundHalfEven(v) - 1);
      return t;  // trailing always yields numSteps values; nothing to drop
  }
  if (rule == SpacingRule::Dpm) t.pop_back();
  return t;
}

double interpolate(const std::vector<double>& table, double x) {
  const auto last = static_cast<double>(table.size() - 1);
  if (x <= 0) return table.front();
  if (x >= last) return table.back();
  const auto j = static_cast<std::size_t>(std::floor(x));
  if (x == static_cast<double>(j)) return table[j];
  const double slope = table[j + 1] - table[j];
  return slope * (x - static_cast<double>(j)) + table[j];
}

std::vector<double> toDoubles(const at::Tensor& tensor) {
  const at::Tensor t = tensor.to(at::kCPU, at::kDouble).contiguous();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

std::vector<double> karrasSigmas(double sigmaMin, double sigmaMax, int numSteps) {
  constexpr double kRho = 7.0;
  const double minInvRho = std::pow(sigmaMin, 1.0 / kRho), maxInvRho = std::pow(sigmaMax, 1.0 / kRho);
  std::vector<double> sigmas;
  for (double ramp : linspace(0.0, 1.0, numSteps)) sigmas.push_back(std::pow(maxInvRho + ramp * (minInvRho - maxInvRho), kRho));
  return sigmas;
}

double sigmaToTimestep(double sigma, const std::vector<float>& logSigmas) {
  // numpy 1.x value-based casting makes this float32 arithmetic: the float64 log-sigma meets a float32 table.
  const auto logSigma = static_cast<float>(std::log(std::max(sigma, 1e-10)));
  // Last train step whose log-sigma is <= logSigma (0 when none), kept one short of the end.
  std::size_t low = 0;
  for (std::size_t i = 0; i < logSigmas.size(); ++i)
    if (logSigma - logSigmas[i] >= 0.0f) low = i;
  low = std::min(low, logSigmas.size() - 2);
  const float w = std::clamp((logSigmas[low] - logSigma) / (logSigmas[low] - logSigmas[low + 1]), 0.0f, 1.0f);
  return static_cast<double>(1.0f - w) * static_cast<double>(low) + static_cast<double>(w) * static_cast<double>(low + 1);
}

at::Tensor eulerPredictOriginal(PredictionType prediction, double sigma, const at::Tensor& modelOutput,
                                const at::Tensor& sample) {
  switch (prediction) {
    case PredictionType::Sample:
      return modelOutput;
    case PredictionType::VPrediction:
      return modelOutput * (-sigma / std::sqrt(sigma * sigma + 1.0)) + sample / (sigma * sigma + 1.0);
    case PredictionType::Epsilon:
      break;
  }
  return sample - sigma * modelOutput;
}

double eulerInitNoiseSigma(const at::Tensor& sigmas, TimestepSpacing spacing) {
  const float maxSigma = sigmas.defined() ? sigmas.max().item<float>() : 0.0f;
  if ((spacing == TimestepSpacing::Unset ? TimestepSpacing::Linspace : spacing) != TimestepSpacing::Leading)
    return maxSigma;
  return std::sqrt(maxSigma * maxSigma + 1.0f);
}

at::Tensor eulerScaleModelInput(const at::Tensor& sample, double sigma) {
  return sample / std::sqrt(sigma * sigma + 1.0);
}

}  // namespace lanterna::inference
