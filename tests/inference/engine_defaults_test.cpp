// A model folder may recommend its guidance and steps (model_index.json "_lanterna_defaults", a key diffusers
// skips); the engine reports them, and SD's usual 7 and 20 otherwise or when the recommendation is unusable.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "lanterna/inference/engine.h"
#include "tiny_model.h"

using namespace lanterna;

namespace {

std::filesystem::path tinyModel(const std::string& name, const nlohmann::json* defaults) {
  const auto dir = std::filesystem::temp_directory_path() / "lanterna_engine_defaults_test" / name;
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(lanterna::testing::writeTinySdModel(dir).ok());
  if (defaults) {
    std::ifstream in(dir / "model_index.json");
    nlohmann::json index = nlohmann::json::parse(in);
    index["_lanterna_defaults"] = *defaults;
    std::ofstream(dir / "model_index.json", std::ios::trunc) << index.dump(2);
  }
  return dir;
}

inference::EngineInfo openedInfo(const std::filesystem::path& dir) {
  inference::EngineOptions options;
  options.device = inference::Device::Cpu;
  auto engine = inference::Engine::open(dir, options);
  EXPECT_TRUE(engine.ok()) << engine.error().message;
  return engine.ok() ? engine->info() : inference::EngineInfo{};
}

}  // namespace

TEST(EngineDefaults, AFolderWithoutARecommendationGetsSdsUsualSettings) {
  const auto info = openedInfo(tinyModel("none", nullptr));
  EXPECT_EQ(info.defaultCfgScale, 7.0);
  EXPECT_EQ(info.defaultSteps, 20);
}

TEST(EngineDefaults, TheFoldersRecommendationIsReported) {
  const nlohmann::json defaults = {{"guidance_scale", 2.5}, {"num_inference_steps", 12}};
  const auto info = openedInfo(tinyModel("recommended", &defaults));
  EXPECT_EQ(info.defaultCfgScale, 2.5);
  EXPECT_EQ(info.defaultSteps, 12);
}

TEST(EngineDefaults, AnUnusableRecommendationIsIgnoredNotFatal) {
  const nlohmann::json defaults = {{"guidance_scale", "high"}, {"num_inference_steps", 100000}};
  const auto info = openedInfo(tinyModel("unusable", &defaults));
  EXPECT_EQ(info.defaultCfgScale, 7.0);
  EXPECT_EQ(info.defaultSteps, 20);
  const nlohmann::json notAnObject = 3;
  EXPECT_EQ(openedInfo(tinyModel("scalar", &notAnObject)).defaultCfgScale, 7.0);
}
