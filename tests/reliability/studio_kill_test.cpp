// Kill tests of the studio itself: the real `lanterna` executable (offscreen platform) runs its scripted mode
// (--automate edits,generate,export: the MainWindow's own edit, Generate and export paths on a tiny random model)
// and is SIGKILLed at random moments; after every kill the project must reopen whole with every edit the studio
// reported saved, killed generations come back interrupted (and one is retried to the end), every asset file is
// whole and every file under an export's final name decodes. LANTERNA_STUDIO_KILL_COUNT sets the number of kills
// (default 12), LANTERNA_STUDIO_KILL_SECONDS the time budget (default 35 s; no round starts after it).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "../common/tiny_model.h"
#include "child_process.h"
#include "lanterna/app/generation_queue.h"
#include "lanterna/app/generation_service.h"
#include "lanterna/app/model_library.h"
#include "lanterna/app/project_store.h"
#include "lanterna/assets/video_decoder.h"
#include "project_check.h"
#include "temp_dir.h"

namespace lanterna::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

int envNumber(const char* name, int fallback) {
  const char* text = std::getenv(name);
  return text && std::atoi(text) > 0 ? std::atoi(text) : fallback;
}

// "item <id>" and "exported <path>" lines, whole lines only (a line cut by the kill was never reported).
void recordStudioOutput(const std::string& output, std::set<std::int64_t>& items, std::set<std::string>& exports) {
  std::istringstream lines(output.substr(0, output.rfind('\n') + 1));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("item ", 0) == 0) items.insert(std::atoll(line.c_str() + 5));
    if (line.rfind("exported ", 0) == 0) exports.insert(line.substr(9));
  }
}

std::string checkItems(const fs::path& project, const std::set<std::int64_t>& items) {
  auto store = app::ProjectStore::open(project);
  if (!store) return store.error().message;
  auto snapshot = store->load();
  if (!snapshot) return snapshot.error().message;
  for (const std::int64_t id : items)
    if (std::none_of(snapshot->items.begin(), snapshot->items.end(), [&](const auto& item) { return item.id == id; }))
      return "prompt item " + std::to_string(id) + " was reported saved but is missing";
  return {};
}

// Every file under a final export name decodes (exports write a temporary sibling and rename it into place).
std::string checkExports(const fs::path& folder, const std::set<std::string>& reported, int& files) {
  for (const std::string& path : reported)
    if (!fs::exists(path)) return "export " + path + " was reported finished but is missing";
  const std::regex finalName(R"(export-\d+-\d+\.mp4)");
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (!std::regex_match(entry.path().filename().string(), finalName)) continue;
    ++files;
    auto decoder = assets::VideoDecoder::open(entry.path());
    if (!decoder) return "broken export " + entry.path().string() + ": " + decoder.error().message;
    if (auto frame = decoder->frameAt(0); !frame)
      return "export " + entry.path().string() + " has no first frame: " + frame.error().message;
  }
  return {};
}

// Files a kill left behind that nothing references: temporaries in media/ (a PNG being written, a ".partial" copy)
// and export temporaries beside the final names. Harmless to the project, but they take disk space.
int leftovers(const fs::path& project, const fs::path& exports) {
  auto store = app::ProjectStore::open(project);
  std::set<fs::path> referenced;
  if (store)
    if (auto assets = store->assets())
      for (const auto& asset : *assets) referenced.insert(fs::weakly_canonical(project.parent_path() / asset.path));
  int count = 0;
  const std::regex finalName(R"(export-\d+-\d+\.mp4)");
  for (const fs::path& folder : {project.parent_path() / "media", exports})
    if (fs::exists(folder))
      for (const auto& entry : fs::recursive_directory_iterator(folder))
        if (entry.is_regular_file() && !referenced.count(fs::weakly_canonical(entry.path())) &&
            !std::regex_match(entry.path().filename().string(), finalName))
          if (++count <= 8) std::printf("leftover: %s\n", entry.path().filename().c_str());
  return count;
}

TEST(StudioKillTest, EditsGenerationsAndExportsSurviveSigkill) {
#ifndef LANTERNA_STUDIO_PATH
  GTEST_SKIP() << "the studio is not built here (LANTERNA_BUILD_UI=OFF)";
#else
  TempDir dir;
  const fs::path models = dir / "models", exports = dir / "exports", project = dir / "studio.lanterna";
  auto model = writeTinySdModel(models / "tiny-sd");
  ASSERT_TRUE(model.ok()) << model.error().message;
  fs::create_directories(exports);
  ASSERT_TRUE(app::ProjectStore::create(project, timeline::ProjectSettings{"edit-0", {24, 1}, 64, 64}).ok());
  // The studio's settings, layout and default folders stay inside the test's folder.
  setenv("QT_QPA_PLATFORM", "offscreen", 1);
  setenv("XDG_CONFIG_HOME", (dir / "config").c_str(), 1);
  setenv("XDG_DATA_HOME", (dir / "data").c_str(), 1);
  auto studio = [&](unsigned seed) {
    return std::vector<std::string>{LANTERNA_STUDIO_PATH, "--project", project.string(), "--automate",
                                    "edits,generate,export", "--models", models.string(), "--export-dir",
                                    exports.string(), "--automate-seed", std::to_string(seed),
                                    "--automate-count", "600"};
  };

  std::mt19937 rng(20261123);
  ProjectExpectations expected;
  std::set<std::int64_t> items;
  std::set<std::string> exported;
  const int kills = envNumber("LANTERNA_STUDIO_KILL_COUNT", 12);
  const auto budget = std::chrono::seconds(envNumber("LANTERNA_STUDIO_KILL_SECONDS", 35));
  const auto start = std::chrono::steady_clock::now();
  int rounds = 0, killedWhileWorking = 0, exportFiles = 0, startups = 0;
  std::chrono::duration<double> startup{0};
  for (; rounds < kills && std::chrono::steady_clock::now() - start < budget; ++rounds) {
    ChildProcess child(studio(rng()));
    ASSERT_TRUE(child.started());
    // One kill in four lands during start-up (Qt, the window, opening and recovering the project).
    std::chrono::microseconds delay(rng() % 400000);
    if (rounds % 4 != 0) {
      const auto launched = std::chrono::steady_clock::now();
      ASSERT_TRUE(child.waitFor("ready", 60s)) << child.output();
      startup += std::chrono::steady_clock::now() - launched;
      ++startups;
      delay = std::chrono::microseconds(rng() % 2500000);
    }
    killedWhileWorking += child.killAfter(delay);
    recordDriverOutput(child.output(), expected);
    recordStudioOutput(child.output(), items, exported);
    std::string problem = checkProject(project, expected);
    if (problem.empty()) problem = checkItems(project, items);
    int files = 0;
    if (problem.empty()) problem = checkExports(exports, exported, files);
    exportFiles = files;
    ASSERT_TRUE(problem.empty()) << "after kill " << rounds << ": " << problem << "\n" << child.output();
  }

  // Killed generations come back interrupted, with their settings: one is retried through the real queue.
  auto history = app::ProjectStore::open(project)->listGenerations();
  ASSERT_TRUE(history.ok());
  int interrupted = 0, done = 0;
  const app::GenerationRecord* retry = nullptr;
  for (const auto& record : *history) {
    done += record.status == app::GenerationStatus::Done;
    if (record.status == app::GenerationStatus::Interrupted && !retry) retry = &record;
    interrupted += record.status == app::GenerationStatus::Interrupted;
  }
  if (retry) {
    auto path = app::ModelLibrary({QString::fromStdString(models.string())}).resolve(
        QString::fromStdString(retry->request.model));
    ASSERT_TRUE(path.ok()) << path.error().message;
    app::GenerationQueue queue;
    const qint64 job = queue.enqueue({"retry", *path, app::requestFor(retry->request)});
    ASSERT_TRUE(queue.waitForIdle(60000));
    EXPECT_EQ(queue.status(job).state, app::JobState::Succeeded) << queue.status(job).errorMessage.toStdString();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("kills", killedWhileWorking);
  std::printf("studio: %d of %d runs killed while working (%.1f s); last edit %d, %zu items, %zu generations "
              "reported done, %d done / %d interrupted in history, %zu exports reported, %d export files; start-up "
              "%.2f s; %d unreferenced leftover files\n",
              killedWhileWorking, rounds, seconds, expected.savedEdit, items.size(), expected.done.size(), done,
              interrupted, exported.size(), exportFiles, startups ? startup.count() / startups : 0.0,
              leftovers(project, exports));
  EXPECT_GE(killedWhileWorking, rounds * 7 / 10) << "the kills mostly missed the work";
  EXPECT_GT(expected.savedEdit + static_cast<int>(items.size()), 0) << "the studio never reported an edit saved";
  EXPECT_FALSE(expected.running.empty()) << "the studio never started a generation";
#endif
}

}  // namespace
}  // namespace lanterna::testing
