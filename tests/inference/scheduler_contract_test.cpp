// The contract every scheduler keeps, checked on SD1.5's scheduler config with a fake denoiser.
#include "scheduler.h"

#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

using namespace lanterna;
using namespace lanterna::inference;

namespace {

nlohmann::json sd15Config() {
  return {{"_class_name", "PNDMScheduler"}, {"num_train_timesteps", 1000}, {"beta_start", 0.00085},
          {"beta_end", 0.012},             {"beta_schedule", "scaled_linear"}, {"steps_offset", 1},
          {"set_alpha_to_one", false},     {"clip_sample", false},      {"trained_betas", nullptr}};
}

struct ContractCase {
  std::string name;
  TimestepSpacing spacing;
  int steps;
};

void PrintTo(const ContractCase& c, std::ostream* out);

std::string spacingName(TimestepSpacing spacing) {
  switch (spacing) {
    case TimestepSpacing::Leading: return "leading";
    case TimestepSpacing::Linspace: return "linspace";
    case TimestepSpacing::Trailing: return "trailing";
    default: return "default";
  }
}

void PrintTo(const ContractCase& c, std::ostream* out) {
  *out << c.name << '/' << spacingName(c.spacing) << '/' << c.steps;
}

std::vector<ContractCase> contractCases() {
  std::vector<ContractCase> cases;
  for (const auto& name : schedulerNames())
    for (auto spacing : {TimestepSpacing::Unset, TimestepSpacing::Leading, TimestepSpacing::Linspace,
                         TimestepSpacing::Trailing})
      for (int steps : {1, 4, 30}) cases.push_back({name, spacing, steps});
  return cases;
}

std::unique_ptr<Scheduler> make(const ContractCase& c) {
  auto made = makeScheduler(c.name, sd15Config(), c.spacing);
  if (!made) throw std::runtime_error(made.error().message);
  auto scheduler = std::move(*made);
  scheduler->setTimesteps(c.steps);
  return scheduler;
}

// A full sampling loop with a fake denoiser; noise drawn from a seeded CPU generator.
at::Tensor sample(Scheduler& scheduler, std::uint64_t seed, int start = 0) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  at::Tensor latents = at::randn({1, 4, 8, 8}, generator) * scheduler.initNoiseSigma();
  StepNoise noise(generator);
  for (int i = start; i < scheduler.stepCount(); ++i) {
    const at::Tensor input = scheduler.scaleModelInput(latents, i);
    const at::Tensor output = 0.1 * input + 0.01 * std::sin(scheduler.timestepValue(i));
    latents = scheduler.step(output, i, latents, noise);
  }
  return latents;
}

class SchedulerContract : public ::testing::TestWithParam<ContractCase> {};

}  // namespace

TEST_P(SchedulerContract, ScheduleIsStrictlyDecreasingAndInRange) {
  const auto scheduler = make(GetParam());
  ASSERT_EQ(scheduler->stepCount(), GetParam().steps);
  const at::Tensor t = scheduler->timesteps().to(at::kDouble);
  EXPECT_GE(t.min().item<double>(), 0.0);
  EXPECT_LT(t.max().item<double>(), 1000.0);
  if (t.numel() > 1) EXPECT_TRUE((t.slice(0, 1) < t.slice(0, 0, -1)).all().item<bool>()) << t;
  // diffusers' 'linspace' with one step lands on t=0 (tiny sigma); every longer schedule starts from noise.
  if (GetParam().steps > 1) EXPECT_GE(scheduler->initNoiseSigma(), 1.0);
  if (scheduler->sigmas().defined()) {
    EXPECT_EQ(scheduler->sigmas().numel(), GetParam().steps + 1);
    EXPECT_TRUE((scheduler->sigmas() >= 0).all().item<bool>());
  }
}

TEST_P(SchedulerContract, SamplingIsFiniteAndDeterministicPerSeed) {
  auto first = make(GetParam());
  auto second = make(GetParam());
  const at::Tensor a = sample(*first, 7);
  const at::Tensor b = sample(*second, 7);
  EXPECT_TRUE(at::isfinite(a).all().item<bool>());
  EXPECT_TRUE(at::equal(a, b));
  // setTimesteps() resets the multistep history: a rerun on the same object repeats itself.
  first->setTimesteps(GetParam().steps);
  EXPECT_TRUE(at::equal(sample(*first, 7), a));
  // The pipeline's other seed gives another image.
  EXPECT_FALSE(at::equal(sample(*first, 8), a));
}

TEST_P(SchedulerContract, Img2imgStartsPartWayAndNoisesToThatLevel) {
  auto scheduler = make(GetParam());
  const int start = scheduler->img2imgStartIndex(0.5);
  EXPECT_EQ(start, GetParam().steps - static_cast<int>(GetParam().steps * 0.5));
  EXPECT_EQ(scheduler->img2imgStartIndex(1.0), 0);
  const at::Tensor clean = at::zeros({1, 4, 8, 8});
  const at::Tensor noise = at::ones({1, 4, 8, 8});
  if (start < scheduler->stepCount()) {
    const at::Tensor noised = scheduler->addNoise(clean, noise, start);
    EXPECT_GT(noised.abs().max().item<double>(), 0.0);
    EXPECT_TRUE(at::isfinite(sample(*scheduler, 3, start)).all().item<bool>());
  }
  EXPECT_THROW(scheduler->step(noise, scheduler->stepCount(), clean, *std::make_unique<StepNoise>()),
               SchedulerError);
}

INSTANTIATE_TEST_SUITE_P(AllSchedulers, SchedulerContract, ::testing::ValuesIn(contractCases()),
                         [](const ::testing::TestParamInfo<ContractCase>& info) {
                           return info.param.name + "_" + spacingName(info.param.spacing) + "_" +
                                  std::to_string(info.param.steps);
                         });

TEST(SchedulerFactory, RefusesUnknownNamesListingValidOnes) {
  auto made = makeScheduler("k_lms", sd15Config());
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().kind, ErrorKind::InvalidArgument);
  for (const auto& name : schedulerNames()) EXPECT_NE(made.error().message.find(name), std::string::npos);
  auto badSpacing = parseTimestepSpacing("sideways");
  ASSERT_FALSE(badSpacing.ok());
  EXPECT_NE(badSpacing.error().message.find("trailing"), std::string::npos);
  auto config = sd15Config();
  config["prediction_type"] = "flow";
  auto badConfig = makeScheduler("euler", config);
  ASSERT_FALSE(badConfig.ok());
  EXPECT_NE(badConfig.error().message.find("prediction_type"), std::string::npos);
}

TEST(SchedulerFactory, StochasticStepsNeedNoise) {
  auto made = makeScheduler("euler_a", sd15Config());
  ASSERT_TRUE(made.ok());
  auto& scheduler = **made;
  scheduler.setTimesteps(4);
  const at::Tensor x = at::ones({1, 4, 2, 2});
  StepNoise none;
  EXPECT_THROW(scheduler.step(x, 0, x, none), SchedulerError);
  StepNoise recorded(std::vector<at::Tensor>{at::zeros({1, 4, 2, 2})});
  EXPECT_TRUE(at::isfinite(scheduler.step(x, 0, x, recorded)).all().item<bool>());
  EXPECT_EQ(recorded.drawCount(), 1);
  auto lcm = makeScheduler("lcm", sd15Config());
  ASSERT_TRUE(lcm.ok());
  EXPECT_THROW((*lcm)->setTimesteps(51), SchedulerError);  // more than original_inference_steps
}
