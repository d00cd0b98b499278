// The project file: what is saved comes back exactly; old files migrate with a backup; bad files are refused.
#include "lanterna/app/project_store.h"

#include <gtest/gtest.h>

#include "lanterna/timeline/document.h"
#include "project_schema.h"
#include "sqlite_database.h"
#include "temp_dir.h"

using namespace lanterna;
using namespace lanterna::app;
using namespace lanterna::timeline;
using lanterna::testing::TempDir;

namespace {

const ProjectSettings kSettings{"Night walk", FrameRate{30000, 1001}, 1920, 1080};

// A document with every kind of track and payload, a split, takes, fades and a crossfade.
DocumentSnapshot richSnapshot() {
  Document doc(kSettings);
  const TrackId prompts = doc.requestAddTrack(TrackKind::Prompt, "Prompts").createdId;
  const TrackId video = doc.requestAddTrack(TrackKind::Video, "V1").createdId;
  const TrackId audio = doc.requestAddTrack(TrackKind::Audio, "Music").createdId;
  const TrackId refs = doc.requestAddTrack(TrackKind::ReferenceImage, "Refs").createdId;
  GenerationSettings settings;
  settings.prompt = "lanterns floating over a river, night, \"cinematic\"";
  settings.negativePrompt = "blurry";
  settings.model = "tiny-video.safetensors";
  settings.seed = -42;
  settings.seedLocked = true;
  settings.fps = FrameRate{30000, 1001};
  settings.cfg = 6.25;
  settings.referenceImages = {5, 6};
  EXPECT_TRUE(doc.requestInsertItem(prompts, FrameTime{0}, FrameTime{48}, PromptPayload{settings}));
  const ItemId clip = doc.requestInsertItem(video, FrameTime{0}, FrameTime{48}, VideoPayload{1, FrameTime{2}, FrameTime{100}, {}, -1}).createdId;
  EXPECT_TRUE(doc.requestAddTake(clip, Take{7, 8, FrameTime{120}}));
  EXPECT_TRUE(doc.requestAddTake(clip, Take{9, 10, FrameTime{60}}, Activate::No));
  const ItemId right = doc.requestSplit(clip, FrameTime{20}).createdId;
  EXPECT_TRUE(doc.requestSetCrossfade(right, FrameTime{6}));
  EXPECT_TRUE(doc.requestSetSpeed(right, Rational{3, 2}));  // a retimed, interpolated clip keeps both settings
  EXPECT_TRUE(doc.requestSetConform(right, ConformMode::Interpolate));
  const ItemId music = doc.requestInsertItem(audio, FrameTime{3}, FrameTime{40}, AudioPayload{4, FrameTime{0}, FrameTime{0}}).createdId;
  EXPECT_TRUE(doc.requestSetFades(music, FrameTime{5}, FrameTime{10}));
  EXPECT_TRUE(doc.requestInsertItem(refs, FrameTime{0}, FrameTime{10}, ReferenceImagePayload{5}));
  EXPECT_TRUE(doc.checkConsistency()) << doc.consistencyProblem();
  return doc.snapshot();
}

}  // namespace

TEST(ProjectStore, CreateThenReopenGivesBackTheSettings) {
  TempDir dir;
  const auto file = dir / "a.lanterna";
  {
    auto store = ProjectStore::create(file, kSettings);
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ(store->schemaVersion(), ProjectStore::kSchemaVersion);
  }
  auto reopened = ProjectStore::open(file);
  ASSERT_TRUE(reopened) << reopened.error().message;
  auto snapshot = reopened->load();
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  EXPECT_EQ(snapshot->settings, kSettings);
  EXPECT_TRUE(snapshot->tracks.empty());
  auto again = ProjectStore::create(file, kSettings);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::InvalidArgument);
}

TEST(ProjectStore, ReopenGivesBackExactlyWhatWasSaved) {
  TempDir dir;
  const auto file = dir / "rich.lanterna";
  const DocumentSnapshot saved = richSnapshot();
  {
    auto store = ProjectStore::create(file, kSettings);
    ASSERT_TRUE(store) << store.error().message;
    auto status = store->save(saved);
    ASSERT_TRUE(status) << status.error().message;
  }
  auto store = ProjectStore::open(file);
  ASSERT_TRUE(store) << store.error().message;
  auto loaded = store->load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(*loaded, saved);
  auto document = Document::fromSnapshot(*loaded);
  ASSERT_TRUE(document);
  EXPECT_TRUE((*document)->checkConsistency());

  // Saving again after edits replaces the old document completely.
  ASSERT_TRUE((*document)->requestRemoveTrack(saved.tracks[1].id));
  ASSERT_TRUE(store->save((*document)->snapshot()));
  auto reloaded = store->load();
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(*reloaded, (*document)->snapshot());
}

TEST(ProjectStore, InconsistentSnapshotIsNotSaved) {
  TempDir dir;
  auto store = ProjectStore::create(dir / "p.lanterna", kSettings);
  ASSERT_TRUE(store);
  DocumentSnapshot broken = richSnapshot();
  ASSERT_TRUE(store->save(broken));
  broken.items.back().duration = FrameTime{0};
  auto status = store->save(broken);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::InvalidArgument);
  EXPECT_EQ(*store->load(), richSnapshot());  // the earlier save is intact
}

TEST(ProjectStore, OlderSchemaIsMigratedAfterABackup) {
  TempDir dir;
  const auto file = dir / "old.lanterna";
  {
    auto db = Database::open(file, OpenMode::ReadWrite, true);
    migrateSchema(db, 0, 1);  // a file as version 1 wrote it
    db.exec("INSERT INTO project VALUES(1, 'Old', 24, 1, 640, 480, 3);"
            "INSERT INTO tracks VALUES(1, 0, 'video', 'V1');"
            "INSERT INTO items(id, track_id, start_frame, duration_frames, asset_id, in_point_frames, "
            "source_duration_frames, active_take) VALUES(2, 1, 0, 24, 1, 0, 48, -1);"
            "INSERT INTO generations(prompt, negative_prompt, model_file, model_sha256, sampler, steps, cfg, seed, "
            "seed_locked, width, height, frames, fps_num, fps_den, strength, status, created_ms) "
            "VALUES('old prompt', '', 'm', '', 'euler', 4, 7.0, 1, 0, 64, 64, 8, 8, 1, 1.0, 'done', 5)");
  }
  auto store = ProjectStore::open(file);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(store->schemaVersion(), ProjectStore::kSchemaVersion);
  const auto backup = dir / "old.lanterna.bak-v1";
  ASSERT_TRUE(std::filesystem::exists(backup));
  {
    auto old = Database::open(backup, OpenMode::ReadOnly, false);
    EXPECT_EQ(old.userVersion(), 1);
  }
  auto loaded = store->load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->settings.name, "Old");
  ASSERT_EQ(loaded->tracks.size(), 1u);
  ASSERT_EQ(loaded->items.size(), 1u);
  const auto& clip = std::get<VideoPayload>(loaded->items.front().payload);  // the v3 columns' defaults
  EXPECT_EQ(clip.speed, (Rational{1, 1}));
  EXPECT_EQ(clip.conform, ConformMode::Repeat);
  auto history = store->listGenerations();
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->front().request.prompt, "old prompt");
  EXPECT_EQ(history->front().request.motionAmount, 0.5);  // the v2 column's default
  EXPECT_EQ(history->front().parent, 0);
}

TEST(ProjectStore, NewerSchemaIsRefusedForEditingAndOpensReadOnly) {
  TempDir dir;
  const auto file = dir / "future.lanterna";
  {
    auto store = ProjectStore::create(file, kSettings);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->save(richSnapshot()));
  }
  Database::open(file, OpenMode::ReadWrite, false).setUserVersion(ProjectStore::kSchemaVersion + 1);
  auto refused = ProjectStore::open(file);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::FeatureUnsupported);
  EXPECT_NE(refused.error().message.find("future.lanterna"), std::string::npos);
  EXPECT_NE(refused.error().message.find("newer Lanterna"), std::string::npos);

  auto readOnly = ProjectStore::open(file, StoreAccess::ReadOnly);
  ASSERT_TRUE(readOnly) << readOnly.error().message;
  EXPECT_TRUE(readOnly->readOnly());
  EXPECT_EQ(readOnly->schemaVersion(), ProjectStore::kSchemaVersion + 1);
  auto loaded = readOnly->load();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, richSnapshot());
  auto save = readOnly->save(*loaded);
  ASSERT_FALSE(save);
  EXPECT_EQ(save.error().kind, ErrorKind::NoWriteAccess);
  EXPECT_FALSE(readOnly->addGeneration(GenerationRecord{}));
}

TEST(ProjectStore, BadFilesAreRefusedWithTheirName) {
  TempDir dir;
  auto missing = ProjectStore::open(dir / "missing.lanterna");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::FileNotFound);
  EXPECT_NE(missing.error().message.find("missing.lanterna"), std::string::npos);

  const auto garbage = dir.write("garbage.lanterna", std::string(8192, 'x'));
  auto notADatabase = ProjectStore::open(garbage);
  ASSERT_FALSE(notADatabase);
  EXPECT_EQ(notADatabase.error().kind, ErrorKind::FormatIncorrect);
  EXPECT_NE(notADatabase.error().message.find("garbage.lanterna"), std::string::npos);

  // A real project with its pages damaged after the header.
  const auto damaged = dir / "damaged.lanterna";
  {
    auto store = ProjectStore::create(damaged, kSettings);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->save(richSnapshot()));
  }
  {
    auto db = Database::open(damaged, OpenMode::ReadWrite, false);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE");
  }
  {
    std::fstream bytes(damaged, std::ios::in | std::ios::out | std::ios::binary);
    bytes.seekp(4096);  // page 2 onwards: b-tree pages, headers included
    const std::string noise(3 * 4096, '\x5a');
    bytes.write(noise.data(), static_cast<std::streamsize>(noise.size()));
  }
  auto corrupt = ProjectStore::open(damaged);
  ASSERT_FALSE(corrupt);
  EXPECT_EQ(corrupt.error().kind, ErrorKind::FormatIncorrect);
  EXPECT_NE(corrupt.error().message.find("damaged.lanterna"), std::string::npos);

  // A SQLite file that is not a project.
  const auto foreign = dir / "foreign.lanterna";
  Database::open(foreign, OpenMode::ReadWrite, true).exec("CREATE TABLE t(x)");
  auto notAProject = ProjectStore::open(foreign);
  ASSERT_FALSE(notAProject);
  EXPECT_EQ(notAProject.error().kind, ErrorKind::FormatIncorrect);
}

TEST(ProjectStore, MediaIsStoredOncePerContent) {
  TempDir dir;
  auto store = ProjectStore::create(dir / "m.lanterna", kSettings);
  ASSERT_TRUE(store);
  const auto first = dir.write("one.PNG", "same bytes");
  const auto second = dir.write("two.png", "same bytes");
  const auto other = dir.write("three.png", "other bytes");
  auto a = store->importMedia(first, AssetKind::Image, R"({"width":1})");
  auto b = store->importMedia(second, AssetKind::Image);
  auto c = store->importMedia(other, AssetKind::Image);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->id, b->id);
  EXPECT_NE(a->id, c->id);
  EXPECT_EQ(a->sha256, "58100dc8fc06562ce3e578231dc948e083520ee49c4b4ee5a5a28bb4b4003feb");  // sha256sum of "same bytes"
  EXPECT_EQ(a->path, "media/" + a->sha256 + ".png");
  EXPECT_EQ(a->sizeBytes, 10);
  EXPECT_EQ(a->mediaInfoJson, R"({"width":1})");
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(store->mediaDir())) {
    ++files;
    EXPECT_EQ(entry.path().extension(), ".png");  // no .partial left behind
  }
  EXPECT_EQ(files, 2);
  auto listed = store->assets();
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 2u);
  EXPECT_EQ(*store->asset(a->id), *a);

  auto missing = store->importMedia(dir / "nope.png", AssetKind::Image);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::FileNotFound);
  EXPECT_NE(missing.error().message.find("nope.png"), std::string::npos);
}
