// `lanterna-cli import` and `export` as a process: JSON on stdout, refusals exit 2 and leave the project as it was.
#include <gtest/gtest.h>

#include "lanterna/app/project_store.h"
#include "lanterna/assets/media_probe.h"
#include "lanterna/assets/video_writer.h"
#include "media_samples.h"
#include "cli_run.h"
#include "temp_dir.h"

#include <nlohmann/json.hpp>

using namespace lanterna;
using lanterna::testing::MediaSamples;
using lanterna::testing::CliRun;
using lanterna::testing::q;
using lanterna::testing::runCli;
using lanterna::testing::TempDir;

TEST(CliMedia, ImportThenExport) {
  LANTERNA_REQUIRE_MEDIA();
  const auto& media = MediaSamples::get();
  TempDir dir;
  const auto project = dir / "p.lanterna";
  ASSERT_EQ(runCli({"project", "new", q(project), "--size", "64x48", "--fps", "24"}).exitCode, 0);

  const CliRun imported = runCli({"import", "--project", q(project), q(media.ramp8), q(media.blue), q(media.tone)});
  ASSERT_EQ(imported.exitCode, 0) << imported.err;
  const auto json = nlohmann::json::parse(imported.out);
  ASSERT_EQ(json["imported"].size(), 3u);
  EXPECT_EQ(json["imported"][0]["kind"], "video");
  EXPECT_EQ(json["imported"][1]["start"], 24);  // after the 1 s clip
  EXPECT_EQ(json["imported"][2]["kind"], "audio");
  const auto info = nlohmann::json::parse(runCli({"project", "info", q(project)}).out);
  ASSERT_EQ(info["tracks"].size(), 2u);
  EXPECT_EQ(info["tracks"][0]["items"], 2);

  // A still appended to a chosen track by id.
  const std::int64_t videoTrack = json["imported"][0]["track"];
  const CliRun onTrack =
      runCli({"import", "--project", q(project), "--track", QString::number(videoTrack), q(media.red)});
  ASSERT_EQ(onTrack.exitCode, 0) << onTrack.err;
  EXPECT_EQ(nlohmann::json::parse(onTrack.out)["imported"][0]["start"], 24 + 120);

  const auto out = dir / "out.mp4";
  const CliRun exported = runCli({"export", "--project", q(project), "--range", "12", "36", "--size", "32x24",
                                  "--fps", "12", "--format", "mp4", "--out", q(out)});
  ASSERT_EQ(exported.exitCode, 0) << exported.err;
  EXPECT_EQ(nlohmann::json::parse(exported.out)["frames"], 12);
  EXPECT_NE(exported.err.find("exporting"), std::string::npos);  // the progress bar
  auto probed = assets::probeMedia(out, assets::FrameCounting::CountPackets);
  ASSERT_TRUE(probed) << probed.error().message;
  EXPECT_EQ(probed->video()->width, 32);
  EXPECT_EQ(probed->video()->frameCount, 12);
  EXPECT_NEAR(probed->durationSeconds, 1.0, 0.05);
  EXPECT_TRUE(probed->audio());

  const CliRun gif = runCli({"export", "--project", q(project), "--out", q(dir / "all.gif")});
  ASSERT_EQ(gif.exitCode, 0) << gif.err;
  EXPECT_EQ(nlohmann::json::parse(gif.out)["format"], assets::exportFormatName(assets::ExportFormat::Gif));
}

TEST(CliMedia, RefusalsExitTwoAndChangeNothing) {
  LANTERNA_REQUIRE_MEDIA();
  const auto& media = MediaSamples::get();
  TempDir dir;
  const auto project = dir / "p.lanterna";
  ASSERT_EQ(runCli({"project", "new", q(project), "--size", "64x48"}).exitCode, 0);
  ASSERT_EQ(runCli({"import", "--project", q(project), q(media.red)}).exitCode, 0);
  const auto before = *app::ProjectStore::open(project, app::StoreAccess::ReadOnly)->load();

  for (const auto& bad : {media.huge, media.empty, media.truncated, media.unknownCodec}) {
    const CliRun refused = runCli({"import", "--project", q(project), q(media.blue), q(bad)});
    EXPECT_EQ(refused.exitCode, 2) << bad << ": " << refused.err;
    EXPECT_NE(refused.err.find(bad.filename().string()), std::string::npos) << refused.err;
    EXPECT_TRUE(refused.out.empty());
  }
  EXPECT_EQ(*app::ProjectStore::open(project, app::StoreAccess::ReadOnly)->load(), before);
  EXPECT_EQ(app::ProjectStore::open(project, app::StoreAccess::ReadOnly)->assets()->size(), 1u);
  int mediaFiles = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "media")) mediaFiles += entry.is_regular_file();
  EXPECT_EQ(mediaFiles, 1);

  EXPECT_EQ(runCli({"export", "--project", q(project), "--format", "avi", "--out", q(dir / "x.avi")}).exitCode, 2);
  EXPECT_EQ(runCli({"export", "--project", q(project), "--range", "5", "1", "--out", q(dir / "x.mp4")}).exitCode, 2);
  EXPECT_EQ(runCli({"export", "--project", q(project), "--size", "big", "--out", q(dir / "x.mp4")}).exitCode, 2);
  EXPECT_EQ(runCli({"export", "--project", q(project)}).exitCode, 2);  // --out is required
  EXPECT_FALSE(std::filesystem::exists(dir / "x.mp4"));
}
