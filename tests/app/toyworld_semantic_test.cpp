// The shipped toyworld model follows its prompts: on held-out toy-world captions (colour/shape/cell combinations
// it never saw in training) the detector finds the named colour and shape in the named cell in >= 80% of images.
#include <gtest/gtest.h>

#include <QFileInfo>

#include "lanterna/app/model_library.h"
#include "lanterna/app/toyworld_score.h"
#include "lanterna/inference/engine.h"

using namespace lanterna;

// 50 prompts, not 20: the shipped weights (session 20) score 42/50 here and 81/100 on the first 100, so a 20-prompt
// sample (16/20) would sit on the bar. See docs/models/toyworld.md.
TEST(ToyworldSemantic, HeldOutPromptsShowTheNamedShapeInTheNamedCell) {
  const QString model = app::ModelLibrary::bundledModelsFolder() + "/toyworld";
  if (!QFileInfo::exists(model + "/model_index.json"))
    GTEST_SKIP() << "no trained toyworld model at " << model.toStdString()
                 << " (train it with inference/train/train_toyworld.sh and export it there)";
  inference::EngineOptions engineOptions;
  engineOptions.device = inference::Device::Cpu;
  engineOptions.cpuThreads = 1;  // ctest -j2 runs another test beside it: two OpenMP teams on 2 cores stall
  auto engine = inference::Engine::open(model.toStdString(), engineOptions);
  ASSERT_TRUE(engine.ok()) << engine.error().message;
  EXPECT_EQ(engine->info().defaultWidth, 128);

  app::ToyworldEvalOptions options;
  options.prompts = 50;
  options.sampler = "euler";
  options.steps = 20;
  options.cfgScale = engine->info().defaultCfgScale;  // the model's recommendation, as the studio and CLI use
  auto score = app::scoreToyworld(*engine, options);
  ASSERT_TRUE(score.ok()) << score.error().message;
  ASSERT_EQ(score->total, 50);
  std::string misses;
  for (const auto& result : score->results)
    if (!result.passed) misses += "\n  \"" + result.prompt + "\": " + result.reason;
  EXPECT_GE(score->fraction(), 0.8) << score->passed << "/" << score->total << " passed; misses:" << misses;
}
