// `lanterna-cli project …` and `history list` run as a process: JSON on stdout, errors on stderr, exit codes.
#include <gtest/gtest.h>

#include "lanterna/app/project_store.h"
#include "cli_run.h"
#include "temp_dir.h"

#include <nlohmann/json.hpp>

#include <sstream>

using namespace lanterna;
using lanterna::testing::CliRun;
using lanterna::testing::q;
using lanterna::testing::runCli;
using lanterna::testing::TempDir;

TEST(CliProject, NewThenInfo) {
  TempDir dir;
  const auto file = dir / "trip.lanterna";
  const CliRun created = runCli({"project", "new", q(file), "--name", "Trip", "--fps", "30000/1001", "--size", "640x360"});
  ASSERT_EQ(created.exitCode, 0) << created.err;
  const CliRun info = runCli({"project", "info", q(file)});
  ASSERT_EQ(info.exitCode, 0) << info.err;
  const auto json = nlohmann::json::parse(info.out);
  EXPECT_EQ(json["name"], "Trip");
  EXPECT_EQ(json["fps"], "30000/1001");
  EXPECT_EQ(json["width"], 640);
  EXPECT_EQ(json["height"], 360);
  EXPECT_EQ(json["schema_version"], app::ProjectStore::kSchemaVersion);
  EXPECT_EQ(json["generations"], 0);
  EXPECT_TRUE(json["tracks"].empty());

  // Tracks and items saved by the store show up with their counts.
  {
    auto store = app::ProjectStore::open(file);
    ASSERT_TRUE(store);
    timeline::DocumentSnapshot snapshot = *store->load();
    snapshot.tracks.push_back(timeline::Track{1, timeline::TrackKind::Video, "V1"});
    snapshot.items.push_back(timeline::Item{2, 1, timeline::FrameTime{0}, timeline::FrameTime{10}, {}, {}, {},
                                            timeline::VideoPayload{5, {}, {}, {}, -1}});
    snapshot.nextId = 3;
    ASSERT_TRUE(store->save(snapshot));
  }
  const auto withItems = nlohmann::json::parse(runCli({"project", "info", q(file)}).out);
  ASSERT_EQ(withItems["tracks"].size(), 1u);
  EXPECT_EQ(withItems["tracks"][0]["kind"], "video");
  EXPECT_EQ(withItems["tracks"][0]["items"], 1);
}

TEST(CliProject, BadInputExitsWithTwo) {
  TempDir dir;
  const CliRun badFps = runCli({"project", "new", q(dir / "a.lanterna"), "--fps", "29.97"});
  EXPECT_EQ(badFps.exitCode, 2);
  EXPECT_NE(badFps.err.find("29.97"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "a.lanterna"));
  EXPECT_EQ(runCli({"project", "new", q(dir / "a.lanterna"), "--size", "640"}).exitCode, 2);
  const CliRun missing = runCli({"project", "info", q(dir / "missing.lanterna")});
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_NE(missing.err.find("missing.lanterna"), std::string::npos);
  EXPECT_TRUE(missing.out.empty());
  EXPECT_EQ(runCli({"history", "list", q(dir / "a.lanterna"), "--status", "finished"}).exitCode, 2);
  EXPECT_EQ(runCli({"project", "frobnicate"}).exitCode, 2);
}

TEST(CliHistory, ListsNewestFirstWithFilters) {
  TempDir dir;
  const auto file = dir / "h.lanterna";
  ASSERT_EQ(runCli({"project", "new", q(file)}).exitCode, 0);
  {
    auto store = app::ProjectStore::open(file);
    ASSERT_TRUE(store);
    for (auto [prompt, at] : std::vector<std::pair<std::string, int>>{{"old lantern", 1}, {"new river", 2}}) {
      app::GenerationRecord record;
      record.request.prompt = prompt;
      record.createdMs = at;
      ASSERT_TRUE(store->addGeneration(record));
    }
    ASSERT_TRUE(store->setGenerationStatus(1, app::GenerationStatus::Done));
  }
  const CliRun all = runCli({"history", "list", q(file)});
  ASSERT_EQ(all.exitCode, 0) << all.err;
  std::istringstream lines(all.out);
  std::vector<nlohmann::json> records;
  for (std::string line; std::getline(lines, line);) records.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["prompt"], "new river");
  EXPECT_EQ(records[1]["prompt"], "old lantern");
  EXPECT_EQ(records[1]["status"], "done");

  const CliRun done = runCli({"history", "list", q(file), "--status", "done"});
  EXPECT_EQ(done.out.find("new river"), std::string::npos);
  EXPECT_NE(done.out.find("old lantern"), std::string::npos);
  const CliRun search = runCli({"history", "list", q(file), "--search", "RIVER"});
  EXPECT_NE(search.out.find("new river"), std::string::npos);
  EXPECT_EQ(search.out.find("old lantern"), std::string::npos);
  EXPECT_EQ(runCli({"project", "info", q(file)}).out.find("\"generations\":2") != std::string::npos, true);
}

TEST(CliClip, SpeedAndConformAreSavedOrRefused) {
  TempDir dir;
  const auto file = dir / "speed.lanterna";
  ASSERT_EQ(runCli({"project", "new", q(file)}).exitCode, 0);
  {
    auto store = app::ProjectStore::open(file);
    ASSERT_TRUE(store);
    timeline::DocumentSnapshot snapshot = *store->load();
    snapshot.tracks.push_back(timeline::Track{1, timeline::TrackKind::Video, "V1"});
    snapshot.items.push_back(timeline::Item{2, 1, timeline::FrameTime{0}, timeline::FrameTime{24}, {}, {}, {},
                                            timeline::VideoPayload{5, {}, timeline::FrameTime{24}, {}, -1}});
    snapshot.nextId = 3;
    ASSERT_TRUE(store->save(snapshot));
  }
  const CliRun slowed = runCli({"clip", "speed", "--project", q(file), "--item", "2", "--speed", "50%", "--conform",
                                "interpolate"});
  ASSERT_EQ(slowed.exitCode, 0) << slowed.err;
  const auto json = nlohmann::json::parse(slowed.out);
  EXPECT_EQ(json["speed"], "1/2");
  EXPECT_EQ(json["conform"], "interpolate");
  EXPECT_EQ(json["duration_frames"], 48);
  auto reopened = app::ProjectStore::open(file);
  ASSERT_TRUE(reopened);
  const auto loaded = reopened->load();  // kept: a reference into the temporary Result dangled (ASan)
  ASSERT_TRUE(loaded) << loaded.error().message;
  const auto& clip = std::get<timeline::VideoPayload>(loaded->items.front().payload);
  EXPECT_EQ(clip.speed, (timeline::Rational{1, 2}));
  EXPECT_EQ(clip.conform, timeline::ConformMode::Interpolate);

  const CliRun bad = runCli({"clip", "speed", "--project", q(file), "--item", "2", "--speed", "fast"});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("not a speed"), std::string::npos);
  const CliRun notClip = runCli({"clip", "speed", "--project", q(file), "--item", "9", "--speed", "2x"});
  EXPECT_EQ(notClip.exitCode, 2);
  EXPECT_NE(notClip.err.find("does not exist"), std::string::npos);
}
