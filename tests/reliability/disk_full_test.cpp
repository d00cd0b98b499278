// Disk full and read-only: saving, importing, generating and exporting onto a full (or read-only) volume fail with
// a clear message, leave no broken file under a final name, and the project stays as it was.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "child_process.h"
#include "lanterna/app/image_convert.h"
#include "lanterna/app/project_store.h"
#include "lanterna/assets/video_writer.h"
#include "project_check.h"
#include "small_volume.h"
#include "temp_dir.h"
#include "tiny_model.h"
#include "test_paths.h"

namespace lanterna::testing {
namespace {

namespace fs = std::filesystem;

std::string randomBytes(std::size_t size) {
  std::mt19937 rng(size);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  return bytes;
}

timeline::DocumentSnapshot withTracks(timeline::DocumentSnapshot snapshot, int count, const std::string& name) {
  snapshot.settings.name = name;
  for (int i = 0; i < count; ++i) {
    timeline::Track track;
    track.id = snapshot.nextId++;
    track.name = std::string(200, 'n') + std::to_string(i);
    snapshot.tracks.push_back(track);
  }
  return snapshot;
}

bool mentionsSpace(const std::string& message) {
  return message.find("full") != std::string::npos || message.find("space") != std::string::npos;
}

std::vector<std::string> generateArgs(const fs::path& model, const fs::path& project, const fs::path& out) {
  return {LANTERNA_CLI_PATH, "generate", "--model", model.string(),
          "--prompt", "a red circle", "--steps", "2", "--width", "64", "--height", "64", "--seed", "1",
          "--project", project.string(), "--out", out.string()};
}

TEST(DiskFull, SaveImportGenerateAndExportFailCleanly) {
  SmallVolume volume(2 << 20);
  if (!volume.ok()) GTEST_SKIP() << volume.why();
  TempDir outside;
  const auto project = volume / "full.lanterna";
  {
    auto store = app::ProjectStore::create(project, timeline::ProjectSettings{"before", {24, 1}, 640, 360});
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE(store->importMedia(outside.write("small.png", randomBytes(20000)), app::AssetKind::Image).ok());
  }
  // Opened before the disk fills, as in the studio: the WAL and its index already exist.
  auto store = app::ProjectStore::open(project);
  ASSERT_TRUE(store.ok()) << store.error().message;
  const auto before = store->load();
  ASSERT_TRUE(before.ok());
  volume.fill();
  // 1. Save: a document far bigger than the space left.
  const Status saved = store->save(withTracks(*before, 20000, "after"));
  ASSERT_FALSE(saved.ok());
  EXPECT_TRUE(mentionsSpace(saved.error().message)) << saved.error().message;
  EXPECT_NE(saved.error().message.find("full.lanterna"), std::string::npos) << saved.error().message;
  EXPECT_EQ(store->load()->settings.name, "before");
  // 2. Import: the copy cannot be made; no row, no file under a hash name, no leftover temp file.
  auto imported = store->importMedia(outside.write("big.png", randomBytes(600000)), app::AssetKind::Image);
  ASSERT_FALSE(imported.ok());
  EXPECT_TRUE(mentionsSpace(imported.error().message)) << imported.error().message;
  EXPECT_EQ(store->assets()->size(), 1u);
  for (const auto& entry : fs::directory_iterator(volume / "media"))
    EXPECT_EQ(entry.path().extension(), ".png") << "left behind: " << entry.path();
  // 3. Export of an image and of a video onto the full volume: an error, and nothing under the final name.
  // Noise does not compress: the PNG cannot fit in what the failed writes left.
  QImage image(512, 512, QImage::Format_RGB888);
  const std::string noise = randomBytes(512 * 512 * 3);
  for (int y = 0; y < 512; ++y) std::memcpy(image.scanLine(y), noise.data() + y * 512 * 3, 512 * 3);
  const Status png = app::savePng(image, QString::fromStdString((volume / "still.png").string()));
  EXPECT_FALSE(png.ok());
  EXPECT_FALSE(fs::exists(volume / "still.png"));
  assets::ExportSettings settings;
  settings.format = assets::ExportFormat::Mp4H264;
  settings.width = settings.height = 128;
  settings.frameRate = {24, 1};
  const Status video = assets::exportVideo(volume / "clip.mp4", settings, 48, [](std::int64_t index) {
    assets::Frame frame = assets::Frame::allocate(128, 128, assets::PixelFormat::Rgba8);
    std::mt19937 rng(static_cast<unsigned>(index));
    for (auto& byte : frame.data) byte = static_cast<std::uint8_t>(rng());
    return Result<assets::Frame>(std::move(frame));
  });
  EXPECT_FALSE(video.ok());
  if (!video.ok()) EXPECT_FALSE(video.error().message.empty());
  EXPECT_FALSE(fs::exists(volume / "clip.mp4"));
  store = Error{};  // close before the CLI and the check open it

  // 4. Generate with --project onto the full volume: a message and a non-zero exit, the project still whole.
  if (const auto model = makeTinyModel(outside.path()); !model.empty()) {
    ChildProcess cli(generateArgs(model, project, volume / "generated.png"));
    EXPECT_NE(cli.wait(), 0) << cli.output();
    EXPECT_FALSE(cli.output().empty());
    EXPECT_FALSE(fs::exists(volume / "generated.png"));
  }
  EXPECT_EQ(checkProject(project, {}), "");
  EXPECT_EQ(app::ProjectStore::open(project)->load()->settings.name, "before");

  // 5. Space again: the same project takes the edit.
  volume.unfill();
  auto again = app::ProjectStore::open(project);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->save(withTracks(*again->load(), 3, "after")).ok());
}

TEST(ReadOnlyVolume, ProjectOpensForReadingAndRefusesWrites) {
  SmallVolume volume(2 << 20);
  if (!volume.ok()) GTEST_SKIP() << volume.why();
  TempDir outside;
  const auto project = volume / "ro.lanterna";
  {
    auto store = app::ProjectStore::create(project, timeline::ProjectSettings{"kept", {24, 1}, 640, 360});
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(store->importMedia(outside.write("a.png", randomBytes(5000)), app::AssetKind::Image).ok());
  }
  ASSERT_TRUE(volume.makeReadOnly());

  // The CLI only reads: it works on read-only media.
  ChildProcess info({LANTERNA_CLI_PATH, "project", "info", project.string()});
  EXPECT_EQ(info.wait(), 0) << info.output();
  EXPECT_NE(info.output().find("\"name\":\"kept\""), std::string::npos) << info.output();

  // Opening for editing either falls back to read-only or refuses; either way writes get a clear error.
  auto store = app::ProjectStore::open(project);
  if (store.ok()) {
    EXPECT_TRUE(store->readOnly());
    const Status saved = store->save(withTracks(*store->load(), 1, "changed"));
    ASSERT_FALSE(saved.ok());
    EXPECT_NE(saved.error().message.find("read-only"), std::string::npos) << saved.error().message;
    auto imported = store->importMedia(outside.write("b.png", randomBytes(5000)), app::AssetKind::Image);
    EXPECT_FALSE(imported.ok());
  } else {
    EXPECT_NE(store.error().message.find("ro.lanterna"), std::string::npos) << store.error().message;
  }
  auto reader = app::ProjectStore::open(project, app::StoreAccess::ReadOnly);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  EXPECT_EQ(reader->load()->settings.name, "kept");

  const Status png = app::savePng(QImage(8, 8, QImage::Format_RGB888), QString::fromStdString((volume / "x.png").string()));
  ASSERT_FALSE(png.ok());
  EXPECT_NE(png.error().message.find("x.png"), std::string::npos);
  if (const auto model = makeTinyModel(outside.path()); !model.empty()) {
    ChildProcess cli(generateArgs(model, project, outside / "generated.png"));
    EXPECT_NE(cli.wait(), 0) << cli.output();
    EXPECT_NE(cli.output().find("ro.lanterna"), std::string::npos) << cli.output();
  }
}

}  // namespace
}  // namespace lanterna::testing
