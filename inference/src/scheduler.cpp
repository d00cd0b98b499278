#include "scheduler.h"

#include <cmath>

namespace lanterna::inference {
namespace {

template <class T>
T field(const nlohmann::json& json, const char* key, T fallback) {
  if (!json.contains(key) || json[key].is_null()) return fallback;
  try {
    return json[key].get<T>();
  } catch (const nlohmann::json::exception&) {
    throw SchedulerError(std::string("scheduler config: \"") + key + "\" has the wrong type");
  }
}

}  // namespace

Result<TimestepSpacing> parseTimestepSpacing(const std::string& text) {
  if (text.empty()) return TimestepSpacing::Unset;
  if (text == "leading") return TimestepSpacing::Leading;
  if (text == "linspace") return TimestepSpacing::Linspace;
  if (text == "trailing") return TimestepSpacing::Trailing;
  return makeError(ErrorKind::InvalidArgument,
                   "Unknown timestep spacing \"" + text + "\" (valid: leading, linspace, trailing).");
}

SchedulerConfig SchedulerConfig::fromJson(const nlohmann::json& json) {
  SchedulerConfig c;
  c.numTrainTimesteps = field(json, "num_train_timesteps", c.numTrainTimesteps);
  c.betaStart = field(json, "beta_start", c.betaStart);
  c.betaEnd = field(json, "beta_end", c.betaEnd);
  const auto schedule = field<std::string>(json, "beta_schedule", "linear");
  if (schedule == "linear") c.betaSchedule = BetaSchedule::Linear;
  else if (schedule == "scaled_linear") c.betaSchedule = BetaSchedule::ScaledLinear;
  else if (schedule == "squaredcos_cap_v2") c.betaSchedule = BetaSchedule::SquaredCosCapV2;
  else throw SchedulerError("scheduler config: unsupported beta_schedule \"" + schedule + "\"");
  c.trainedBetas = field(json, "trained_betas", std::vector<double>{});
  if (!c.trainedBetas.empty()) {
    c.betaSchedule = BetaSchedule::Trained;
    c.numTrainTimesteps = static_cast<int>(c.trainedBetas.size());
  }
  const auto prediction = field<std::string>(json, "prediction_type", "epsilon");
  if (prediction == "epsilon") c.predictionType = PredictionType::Epsilon;
  else if (prediction == "v_prediction") c.predictionType = PredictionType::VPrediction;
  else if (prediction == "sample") c.predictionType = PredictionType::Sample;
  else throw SchedulerError("scheduler config: unsupported prediction_type \"" + prediction + "\"");
  auto spacing = parseTimestepSpacing(field<std::string>(json, "timestep_spacing", ""));
  if (!spacing) throw SchedulerError("scheduler config: " + spacing.error().message);
  c.spacing = *spacing;
  c.stepsOffset = field(json, "steps_offset", c.stepsOffset);
  c.setAlphaToOne = field(json, "set_alpha_to_one", c.setAlphaToOne);
  c.rescaleBetasZeroSnr = field(json, "rescale_betas_zero_snr", c.rescaleBetasZeroSnr);
  c.clipSample = field(json, "clip_sample", c.clipSample);
  c.clipSampleRange = field(json, "clip_sample_range", c.clipSampleRange);
  c.eta = field(json, "eta", c.eta);
  c.useKarrasSigmas = field(json, "use_karras_sigmas", c.useKarrasSigmas);
  if (json.contains("sigma_min") && json["sigma_min"].is_number()) c.sigmaMin = json["sigma_min"].get<double>();
  if (json.contains("sigma_max") && json["sigma_max"].is_number()) c.sigmaMax = json["sigma_max"].get<double>();
  c.continuousTimesteps = field<std::string>(json, "timestep_type", "discrete") == "continuous";
  c.lowerOrderFinal = field(json, "lower_order_final", c.lowerOrderFinal);
  c.eulerAtFinal = field(json, "euler_at_final", c.eulerAtFinal);
  c.originalInferenceSteps = field(json, "original_inference_steps", c.originalInferenceSteps);
  c.timestepScaling = field(json, "timestep_scaling", c.timestepScaling);
  if (field(json, "thresholding", false))
    throw SchedulerError("scheduler config: dynamic thresholding is not supported");
  if (field<std::string>(json, "interpolation_type", "linear") != "linear")
    throw SchedulerError("scheduler config: only interpolation_type \"linear\" is supported");
  if (c.numTrainTimesteps < 2) throw SchedulerError("scheduler config: num_train_timesteps must be at least 2");
  return c;
}

at::Tensor StepNoise::draw(const at::Tensor& like) {
  if (used_ < static_cast<int>(draws_.size())) {
    at::Tensor noise = draws_[used_++];
    if (noise.numel() != like.numel())
      throw SchedulerError("recorded noise draw " + std::to_string(used_ - 1) + " does not match the sample's shape");
    return noise.reshape(like.sizes()).to(like.device(), like.scalar_type());
  }
  if (!generator_)
    throw SchedulerError(draws_.empty() ? "this scheduler needs random noise but no generator was given"
                                        : "ran out of recorded noise draws");
  ++used_;
  return at::randn(like.sizes(), *generator_, at::TensorOptions(at::kFloat).device(generator_->device()))
      .to(like.device(), like.scalar_type());
}

double Scheduler::timestepValue(int stepIndex) const {
  checkStepIndex(stepIndex);
  return timesteps_[stepIndex].item<double>();
}

at::Tensor Scheduler::scaleModelInput(const at::Tensor& sample, int stepIndex) const {
  checkStepIndex(stepIndex);
  return sample;
}

int Scheduler::img2imgStartIndex(double strength) const {
  if (!(strength > 0.0 && strength <= 1.0)) throw SchedulerError("img2img strength must be in (0, 1]");
  const int steps = stepCount();
  const int initTimestep = std::min(static_cast<int>(steps * strength), steps);
  return std::max(steps - initTimestep, 0);  // every scheduler here has order 1
}

void Scheduler::checkStepIndex(int stepIndex) const {
  if (stepIndex < 0 || stepIndex >= stepCount())
    throw SchedulerError(name() + ": step index " + std::to_string(stepIndex) + " is outside the " +
                         std::to_string(stepCount()) + "-step schedule (call setTimesteps first)");
}

std::vector<std::string> schedulerNames() { return {"euler", "euler_a", "ddim", "dpmpp_2m", "dpmpp_2m_karras", "lcm"}; }

Result<std::unique_ptr<Scheduler>> makeScheduler(const std::string& name, const nlohmann::json& json,
                                                 TimestepSpacing spacing) {
  SchedulerConfig config;
  try {
    config = SchedulerConfig::fromJson(json);
  } catch (const SchedulerError& e) {
    return makeError(ErrorKind::FormatIncorrect, e.what());
  }
  if (spacing != TimestepSpacing::Unset) config.spacing = spacing;
  if (name == "euler") return makeEulerScheduler(config);
  if (name == "euler_a") return makeEulerAncestralScheduler(config);
  if (name == "ddim") return makeDdimScheduler(config);
  if (name == "lcm") return makeLcmScheduler(config);
  if (name == "dpmpp_2m" || name == "dpmpp_2m_karras") {
    config.useKarrasSigmas = name == "dpmpp_2m_karras";
    return makeDpmpp2mScheduler(config);
  }
  std::string valid;
  for (const auto& known : schedulerNames()) valid += (valid.empty() ? "" : ", ") + known;
  return makeError(ErrorKind::InvalidArgument, "Unknown scheduler \"" + name + "\" (valid: " + valid + ").");
}

}  // namespace lanterna::inference
