// Import: every kind lands at the end of the right track as one undo step; hostile files change nothing.
#include <QCoreApplication>
#include <gtest/gtest.h>

#include "lanterna/app/media_import.h"
#include "lanterna/app/project_store.h"
#include "lanterna/app/sequence_renderer.h"
#include "lanterna/app/thumbnail_cache.h"
#include "lanterna/assets/image_io.h"
#include "lanterna/timeline/document.h"
#include "media_samples.h"
#include "temp_dir.h"

using namespace lanterna;
using lanterna::testing::MediaSamples;
using lanterna::testing::TempDir;
using timeline::FrameTime;

namespace {

struct Project {
  TempDir dir;
  app::ProjectStore store = std::move(*app::ProjectStore::create(dir / "p.lanterna", {"P", {24, 1}, 64, 48}));
  std::unique_ptr<timeline::Document> document = std::move(*timeline::Document::fromSnapshot(*store.load()));
};

std::vector<std::string> listing(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  if (std::filesystem::exists(folder))
    for (const auto& entry : std::filesystem::directory_iterator(folder)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST(MediaImport, ImageVideoAndAudioGoToTheEndsOfTheirTracks) {
  LANTERNA_REQUIRE_MEDIA();
  const auto& media = MediaSamples::get();
  Project project;
  const auto empty = project.document->snapshot();
  auto imported = app::importMediaFiles(project.store, *project.document, {media.red, media.ramp8, media.tone});
  ASSERT_TRUE(imported) << imported.error().message;
  ASSERT_EQ(imported->size(), 3u);
  const auto& doc = *project.document;
  EXPECT_TRUE(doc.checkConsistency()) << doc.consistencyProblem();

  const auto* still = doc.item((*imported)[0].item);
  const auto* clip = doc.item((*imported)[1].item);
  const auto* tone = doc.item((*imported)[2].item);
  EXPECT_EQ(still->track, clip->track);
  EXPECT_EQ(doc.track(still->track)->kind, timeline::TrackKind::Video);
  EXPECT_EQ(doc.track(tone->track)->kind, timeline::TrackKind::Audio);
  EXPECT_EQ(still->duration, FrameTime{24 * app::kStillDurationSeconds});
  EXPECT_EQ(clip->start, still->end());            // appended after the still
  EXPECT_EQ(clip->duration, FrameTime{24});        // 1 s at 8 fps is 24 frames at 24 fps
  EXPECT_EQ(tone->start, FrameTime{0});
  EXPECT_EQ(tone->duration, FrameTime{24});
  EXPECT_EQ((*imported)[1].asset.kind, app::AssetKind::Video);
  for (const auto& done : *imported)
    EXPECT_TRUE(std::filesystem::exists(project.dir.path() / done.asset.path)) << done.asset.path;

  // A second import appends after the first, and the whole first import was one undo step.
  auto again = app::importMediaFiles(project.store, *project.document, {media.blue});
  ASSERT_TRUE(again);
  EXPECT_EQ(doc.item((*again)[0].item)->start, clip->end());
  project.document->undoStack().undo();
  project.document->undoStack().undo();
  EXPECT_EQ(project.document->snapshot(), empty);
}

TEST(MediaImport, HostileFilesAreRefusedAndNothingChanges) {
  LANTERNA_REQUIRE_MEDIA();
  const auto& media = MediaSamples::get();
  Project project;
  ASSERT_TRUE(app::importMediaFiles(project.store, *project.document, {media.blue}));
  const auto before = project.document->snapshot();
  const auto mediaBefore = listing(project.store.mediaDir());
  const auto assetsBefore = *project.store.assets();
  const int undoBefore = project.document->undoStack().count();

  const std::vector<std::pair<std::filesystem::path, std::vector<ErrorKind>>> hostile = {
      {media.empty, {ErrorKind::Truncated}},
      {media.huge, {ErrorKind::FormatIncorrect}},
      {media.truncated, {ErrorKind::Truncated, ErrorKind::FormatIncorrect}},
      {media.unknownCodec, {ErrorKind::FeatureUnsupported}},
      {media.text, {ErrorKind::FormatIncorrect}},
      {project.dir / "missing.mp4", {ErrorKind::FileNotFound}},
  };
  for (const auto& [file, kinds] : hostile) {
    // The good file before the bad one is not imported either.
    auto refused = app::importMediaFiles(project.store, *project.document, {media.red, file});
    ASSERT_FALSE(refused) << file;
    const Error& error = refused.error();
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), error.kind), kinds.end())
        << file << ": " << errorKindName(error.kind) << ": " << error.message;
    EXPECT_NE(error.message.find(file.filename().string()), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("not changed"), std::string::npos) << error.message;
    EXPECT_EQ(project.document->snapshot(), before) << file;
    EXPECT_EQ(listing(project.store.mediaDir()), mediaBefore) << file;
    EXPECT_EQ(*project.store.assets(), assetsBefore) << file;
    EXPECT_EQ(project.document->undoStack().count(), undoBefore) << file;
  }
  EXPECT_NE(app::checkMedia(media.huge, {24, 1}).error().message.find("100000"), std::string::npos);
}

TEST(MediaImport, ChosenTrackMustMatchTheMedia) {
  LANTERNA_REQUIRE_MEDIA();
  const auto& media = MediaSamples::get();
  Project project;
  const auto video = project.document->requestAddTrack(timeline::TrackKind::Video, "V1").createdId;
  const auto second = project.document->requestAddTrack(timeline::TrackKind::Video, "V2").createdId;
  auto refused = app::importMediaFiles(project.store, *project.document, {media.tone}, {.track = video});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::InvalidArgument);
  EXPECT_FALSE(app::importMediaFiles(project.store, *project.document, {media.red}, {.track = 999}));
  auto placed = app::importMediaFiles(project.store, *project.document, {media.red}, {.track = second});
  ASSERT_TRUE(placed);
  EXPECT_EQ((*placed)[0].track, second);
  EXPECT_TRUE(project.document->itemsOnTrack(video).empty());
}

TEST(MediaImport, VideoWithSoundIsCheckedAsVideo) {
  LANTERNA_REQUIRE_MEDIA();
  auto check = app::checkMedia(MediaSamples::get().clip, {24, 1});
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_EQ(check->kind, app::AssetKind::Video);
  EXPECT_EQ(check->codec, "h264");
  EXPECT_TRUE(check->hasAudio);
  EXPECT_EQ(check->width, 64);
  EXPECT_EQ(check->durationFrames, FrameTime{24});
  EXPECT_NE(check->infoJson.find("\"has_audio\":true"), std::string::npos);
}

TEST(ThumbnailCache, FilmstripIsMadeInTheBackgroundAndCached) {
  LANTERNA_REQUIRE_MEDIA();
  const auto& media = MediaSamples::get();
  Project project;
  auto imported = app::importMediaFiles(project.store, *project.document, {media.ramp8, media.tone});
  ASSERT_TRUE(imported);
  const auto& clip = (*imported)[0].asset;
  const auto file = project.dir.path() / clip.path;
  app::ThumbnailCache cache(app::ThumbnailCache::folderFor(project.store), 24);
  auto future = cache.filmstripAsync(clip, file, 4);
  future.waitForFinished();
  const app::CachedImage strip = future.result();
  ASSERT_TRUE(strip.error.empty()) << strip.error;
  EXPECT_EQ(strip.file, cache.filmstripPath(clip, 4));
  EXPECT_EQ(strip.file.parent_path(), project.dir.path() / "thumbnails");
  auto image = assets::loadImage(strip.file);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->width, 4 * 32);  // 64x48 scaled to 24 high is 32 wide
  EXPECT_EQ(image->height, 24);
  // Frames 1, 3, 5, 7 of the ramp: red rises along the strip.
  int previous = -1;
  for (int i = 0; i < 4; ++i) {
    const int red = image->row<std::uint8_t>(12)[4 * (32 * i + 16)];
    EXPECT_NEAR(red, 30 * (2 * i + 1), 4) << "picture " << i;
    EXPECT_GT(red, previous);
    previous = red;
  }
  // Cached: asking again returns the same file without remaking it.
  const auto made = std::filesystem::last_write_time(strip.file);
  EXPECT_EQ(*cache.filmstrip(clip, file, 4), strip.file);
  EXPECT_EQ(std::filesystem::last_write_time(strip.file), made);
  auto thumb = cache.thumbnail(clip, file);
  ASSERT_TRUE(thumb);
  EXPECT_TRUE(std::filesystem::exists(*thumb));
  auto sound = cache.thumbnail((*imported)[1].asset, project.dir.path() / (*imported)[1].asset.path);
  ASSERT_FALSE(sound);
  EXPECT_EQ(sound.error().kind, ErrorKind::FeatureUnsupported);
}
