// Kill tests: lanterna-kill-driver (document saves, imports, history writes) and lanterna-cli are SIGKILLed at
// random moments, over and over, on one project; after every kill the project must reopen whole, with every edit
// the process reported saved. LANTERNA_KILL_COUNT scales the number of kills (default 100 edit kills + 4
// generation kills).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "child_process.h"
#include "lanterna/app/image_convert.h"
#include "lanterna/app/project_store.h"
#include "project_check.h"
#include "temp_dir.h"
#include "tiny_model.h"
#include "test_paths.h"

namespace lanterna::testing {
namespace {

using namespace std::chrono_literals;

int killCount(int fallback) {
  const char* text = std::getenv("LANTERNA_KILL_COUNT");
  return text && std::atoi(text) > 0 ? std::atoi(text) : fallback;
}

TEST(KillTest, EditsImportsAndHistorySurviveSigkill) {
  TempDir dir;
  const auto project = dir / "killed.lanterna";
  ASSERT_TRUE(app::ProjectStore::create(project, timeline::ProjectSettings{"edit-0", {24, 1}, 640, 360}).ok());
  std::filesystem::create_directories(dir / "scratch");

  std::mt19937 rng(20261122);
  ProjectExpectations expected;
  const int kills = killCount(100);
  int killedWhileWorking = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < kills; ++round) {
    ChildProcess driver({LANTERNA_KILL_DRIVER_PATH, project.string(), (dir / "scratch").string(),
                         std::to_string(rng()), "400"});
    ASSERT_TRUE(driver.started());
    // One kill in five lands during start-up (open, recovery); the rest while edits stream.
    if (round % 5 != 0) ASSERT_TRUE(driver.waitFor("ready", 20s)) << driver.output();
    const bool killed = driver.killAfter(std::chrono::microseconds(rng() % 60000));
    killedWhileWorking += killed;
    ASSERT_EQ(driver.output().find("error"), std::string::npos) << driver.output();
    recordDriverOutput(driver.output(), expected);
    const std::string problem = checkProject(project, expected);
    ASSERT_TRUE(problem.empty()) << "after kill " << round << ": " << problem << "\n" << driver.output();
    // The studio's own CLI reads what the kills left, read-only.
    if (round % 15 == 0) {
      ChildProcess info({LANTERNA_CLI_PATH, "project", "info", project.string()});
      EXPECT_EQ(info.wait(), 0);
      EXPECT_NE(info.output().find("\"name\":\"edit-"), std::string::npos) << info.output();
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("kills", killedWhileWorking);
  std::printf("%d of %d runs killed while working; last edit %d, %zu imports, %zu generations done (%.1f s)\n",
              killedWhileWorking, kills, expected.savedEdit, expected.imported.size(), expected.done.size(), seconds);
  EXPECT_GE(killedWhileWorking, kills * 8 / 10) << "the kills mostly missed the work";
  EXPECT_GT(expected.savedEdit, 0);
  EXPECT_GT(expected.done.size(), 0u);
}

// lanterna-cli generate --project on the tiny shared model, killed anywhere from model loading to the PNG write.
TEST(KillTest, GenerationWithProjectSurvivesSigkill) {
  LANTERNA_REQUIRE_SHARED("conformance/manifest.json");
  TempDir dir;
  const auto model = makeTinyModel(dir.path());
  ASSERT_FALSE(model.empty());
  const auto project = dir / "generated.lanterna";
  ASSERT_TRUE(app::ProjectStore::create(project, timeline::ProjectSettings{"edit-0", {24, 1}, 64, 64}).ok());
  auto generate = [&](int seed) {
    return std::vector<std::string>{LANTERNA_CLI_PATH, "generate", "--model", model.string(), "--prompt",
                                    "a red circle", "--steps", "3", "--width", "64", "--height", "64", "--seed",
                                    std::to_string(seed), "--project", project.string(), "--out",
                                    (dir / ("out_" + std::to_string(seed) + ".png")).string()};
  };
  // One whole run: it must record a done generation, and tells how long a run takes here.
  const auto start = std::chrono::steady_clock::now();
  ChildProcess whole(generate(0));
  ASSERT_EQ(whole.wait(), 0) << whole.output();
  const auto runTime = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  ProjectExpectations expected;
  ASSERT_EQ(checkProject(project, expected), "");
  auto history = app::ProjectStore::open(project)->listGenerations();
  ASSERT_TRUE(history.ok() && history->size() == 1 && history->front().status == app::GenerationStatus::Done);

  std::mt19937 rng(7);
  const int kills = std::max(3, killCount(100) / 25);
  int killedWhileWorking = 0;
  for (int round = 1; round <= kills; ++round) {
    ChildProcess cli(generate(round));
    killedWhileWorking += cli.killAfter(std::chrono::microseconds(rng() % (runTime.count() + 1)));
    ASSERT_EQ(checkProject(project, expected), "") << "after kill " << round;
    // QSaveFile renames into place: under the final name there is a whole PNG or nothing.
    const auto out = dir / ("out_" + std::to_string(round) + ".png");
    if (std::filesystem::exists(out))
      EXPECT_TRUE(app::loadImageFile(QString::fromStdString(out.string())).ok()) << "broken " << out;
  }
  auto after = app::ProjectStore::open(project)->listGenerations();
  ASSERT_TRUE(after.ok());
  int interrupted = 0;
  for (const auto& record : *after) interrupted += record.status == app::GenerationStatus::Interrupted;
  std::printf("generation: %d of %d runs killed while working, %d recorded interrupted (one run %.2f s)\n",
              killedWhileWorking, kills, interrupted, runTime.count() / 1e6);
  EXPECT_GE(killedWhileWorking, kills / 2);
}

}  // namespace
}  // namespace lanterna::testing
