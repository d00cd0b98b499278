// Conformance runner for group E (schedulers): drives each scheduler with the shared fake denoiser
// (model_output = 0.1 * model_input + 0.01 * sin(t)) and compares every intermediate with the reference run.
#include <cmath>
#include <regex>

#include "conformance_case.h"
#include "scheduler.h"

namespace lanterna::inference {
namespace {

std::string schedulerNameFor(const ConformanceCase& testCase) {
  const auto& config = testCase.config();
  const std::string cls = config.value("_class_name", testCase.component);
  if (cls == "DDIMScheduler") return "ddim";
  if (cls == "EulerDiscreteScheduler") return "euler";
  if (cls == "EulerAncestralDiscreteScheduler") return "euler_a";
  if (cls == "LCMScheduler") return "lcm";
  if (cls == "DPMSolverMultistepScheduler")
    return config.value("use_karras_sigmas", false) ? "dpmpp_2m_karras" : "dpmpp_2m";
  return cls;
}

// The img2img strength: an explicit manifest field, else the "strength=0.6" the notes state.
double img2imgStrength(const ConformanceCase& testCase) {
  if (testCase.entry.contains("strength")) return testCase.entry["strength"].get<double>();
  std::smatch match;
  const std::string notes = testCase.entry.value("notes", "");
  if (std::regex_search(notes, match, std::regex(R"(strength\s*=\s*([0-9.]+))"))) return std::stod(match[1]);
  throw SchedulerError("img2img case without a strength");
}

}  // namespace

CaseReport runSchedulerCase(const ConformanceCase& testCase) {
  CaseChecker checker(testCase);
  auto made = makeScheduler(schedulerNameFor(testCase), testCase.config());
  if (!made) {
    checker.fail(made.error().message);
    return checker.report();
  }
  Scheduler& scheduler = **made;
  CaseTensors tensors(testCase);
  scheduler.setTimesteps(testCase.entry.at("num_inference_steps").get<int>());
  checker.compare("timesteps", scheduler.timesteps(), tensors.expected("timesteps"));
  if (tensors.hasExpected("sigmas")) checker.compare("sigmas", scheduler.sigmas(), tensors.expected("sigmas"));
  checker.compare("init_noise_sigma", at::scalar_tensor(scheduler.initNoiseSigma(), at::kFloat),
                  tensors.expected("init_noise_sigma"));

  std::vector<at::Tensor> draws;
  if (tensors.hasInput("step_noise")) draws = tensors.input("step_noise").unbind(0);
  StepNoise noise(draws);

  int start = 0;
  at::Tensor latents;
  if (tensors.hasInput("init_latents")) {
    start = scheduler.img2imgStartIndex(img2imgStrength(testCase));
    checker.compare("t_start", at::scalar_tensor(start, at::kLong), tensors.expected("t_start"));
    checker.compare("img2img_timesteps", scheduler.timesteps().slice(0, start), tensors.expected("img2img_timesteps"));
    latents = scheduler.addNoise(tensors.input("init_latents"), tensors.input("noise"), start);
    checker.compare("noised_latents", latents, tensors.expected("noised_latents"));
  } else {
    latents = tensors.input("initial_noise") * scheduler.initNoiseSigma();
  }

  std::vector<at::Tensor> inputs, outputs, steps;
  std::vector<float> factors;
  const at::Tensor one = at::ones({1}, latents.options());
  for (int i = start; i < scheduler.stepCount(); ++i) {
    const at::Tensor modelInput = scheduler.scaleModelInput(latents, i);
    factors.push_back(scheduler.scaleModelInput(one, i).item<float>());
    const at::Tensor modelOutput = 0.1 * modelInput + 0.01 * std::sin(scheduler.timestepValue(i));
    latents = scheduler.step(modelOutput, i, latents, noise);
    inputs.push_back(modelInput);
    outputs.push_back(modelOutput);
    steps.push_back(latents);
  }
  checker.compare("model_inputs", at::stack(inputs), tensors.expected("model_inputs"));
  checker.compare("model_outputs", at::stack(outputs), tensors.expected("model_outputs"));
  checker.compare("latents", at::stack(steps), tensors.expected("latents"));
  checker.compare("scale_model_input_factors", at::tensor(factors, at::kFloat),
                  tensors.expected("scale_model_input_factors"));
  return checker.report();
}

}  // namespace lanterna::inference
