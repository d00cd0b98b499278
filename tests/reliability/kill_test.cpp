// Kill tests: lanterna-kill-driver (document saves, imports, history writes) and lanterna-cli are SIGKILLed at
// random moments, over and over, on one project; after every kill the project must reopen whole, with every edit
// the process reported saved. LANTERNA_KILL_COUNT scales the number of kills (default 90 + the CLI runs).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>

#include "child_process.h"
#include "lanterna/app/project_store.h"
#include "project_check.h"
#include "temp_dir.h"

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
  const int kills = killCount(90);
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

}  // namespace
}  // namespace lanterna::testing
