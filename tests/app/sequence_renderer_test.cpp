// The document at frame N as pictures: crossfades, fades, rate conforming, in-points, track order, the viewer's
// latest-wins provider. Pixels are compared on the CPU compositor, exactly (stills) or within codec error (clips).
#include <QCoreApplication>
#include <QElapsedTimer>
#include <gtest/gtest.h>

#include "lanterna/app/frame_provider.h"
#include "lanterna/app/media_import.h"
#include "lanterna/app/project_store.h"
#include "lanterna/app/sequence_renderer.h"
#include "lanterna/timeline/document.h"
#include "media_samples.h"
#include "temp_dir.h"

using namespace lanterna;
using lanterna::testing::MediaSamples;
using lanterna::testing::TempDir;
using timeline::FrameTime;

namespace {

struct Timeline {
  TempDir dir;
  app::ProjectStore store = std::move(*app::ProjectStore::create(dir / "p.lanterna", {"P", {24, 1}, 64, 48}));
  timeline::Document document{timeline::ProjectSettings{"P", {24, 1}, 64, 48}};

  // Imports `file` and returns its asset id (the item the import made is removed: tests place their own).
  timeline::AssetId asset(const std::filesystem::path& file) {
    auto imported = app::importMediaFiles(store, document, {file});
    EXPECT_TRUE(imported) << imported.error().message;
    document.requestDeleteItem((*imported)[0].item);
    return (*imported)[0].asset.id;
  }
  timeline::TrackId videoTrack() {
    for (const auto& track : document.tracks())
      if (track.kind == timeline::TrackKind::Video) return track.id;
    return document.requestAddTrack(timeline::TrackKind::Video, "V1").createdId;
  }
  timeline::ItemId place(timeline::TrackId track, std::int64_t start, std::int64_t length, timeline::AssetId asset,
                         std::int64_t inPoint = 0) {
    auto made = document.requestInsertItem(track, FrameTime{start}, FrameTime{length},
                                           timeline::VideoPayload{asset, FrameTime{inPoint}, {}, {}, -1});
    EXPECT_TRUE(made) << made.reason;
    return made.createdId;
  }
  app::SequenceRenderer renderer() {
    return app::SequenceRenderer(document.snapshot(), *app::assetSources(store),
                                 {.backend = assets::CompositorBackend::Cpu});
  }
};

std::array<int, 3> centre(const assets::Frame& frame) {
  const auto* p = frame.row<std::uint8_t>(frame.height / 2) + 4 * (frame.width / 2);
  return {p[0], p[1], p[2]};
}

void expectColour(app::SequenceRenderer& renderer, std::int64_t at, std::array<int, 3> rgb, int tolerance) {
  auto frame = renderer.renderFrame(FrameTime{at});
  ASSERT_TRUE(frame) << frame.error().message;
  const auto seen = centre(*frame);
  for (int c = 0; c < 3; ++c)
    EXPECT_NEAR(seen[std::size_t(c)], rgb[std::size_t(c)], tolerance) << "frame " << at << " channel " << c;
}

}  // namespace

TEST(SequenceRenderer, CrossfadeIsCentredOnTheCutAndMixes) {
  LANTERNA_REQUIRE_MEDIA();
  Timeline t;
  const auto red = t.asset(MediaSamples::get().red), blue = t.asset(MediaSamples::get().blue);
  const auto track = t.videoTrack();
  t.place(track, 0, 10, red);
  const auto second = t.place(track, 10, 10, blue);
  ASSERT_TRUE(t.document.requestSetCrossfade(second, FrameTime{5}));
  auto renderer = t.renderer();
  EXPECT_EQ(renderer.duration(), FrameTime{20});
  expectColour(renderer, 7, {255, 0, 0}, 0);     // before the transition (frames 8..12)
  expectColour(renderer, 10, {128, 0, 128}, 2);  // the middle: half of each
  expectColour(renderer, 9, {179, 0, 77}, 2);    // t = 0.3
  expectColour(renderer, 13, {0, 0, 255}, 0);
  auto plan = renderer.planFrame(FrameTime{10});
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->layers.size(), 2u);
  EXPECT_FLOAT_EQ(plan->layers[1].opacity, 0.5f);
  expectColour(renderer, 20, {0, 0, 0}, 0);  // past the end: background
}

TEST(SequenceRenderer, FadesRampOpacity) {
  LANTERNA_REQUIRE_MEDIA();
  Timeline t;
  const auto red = t.asset(MediaSamples::get().red);
  const auto item = t.place(t.videoTrack(), 0, 12, red);
  ASSERT_TRUE(t.document.requestSetFades(item, FrameTime{4}, FrameTime{2}));
  auto renderer = t.renderer();
  expectColour(renderer, 0, {32, 0, 0}, 1);   // 0.5 / 4
  expectColour(renderer, 3, {223, 0, 0}, 1);  // 3.5 / 4
  expectColour(renderer, 5, {255, 0, 0}, 0);
  expectColour(renderer, 11, {64, 0, 0}, 1);  // last frame: 0.5 / 2
}

TEST(SequenceRenderer, EightFpsClipRepeatsFramesAtTwentyFour) {
  LANTERNA_REQUIRE_MEDIA();
  Timeline t;
  const auto ramp = t.asset(MediaSamples::get().ramp8);
  const auto track = t.videoTrack();
  t.place(track, 0, 24, ramp);
  t.place(track, 24, 12, ramp, 6);  // in-point 6 project frames = source frame 2
  auto renderer = t.renderer();
  for (std::int64_t at : {0, 1, 2}) expectColour(renderer, at, {0, 0, 0}, 3);
  for (std::int64_t at : {3, 4, 5}) expectColour(renderer, at, {30, 0, 0}, 3);
  expectColour(renderer, 23, {210, 0, 0}, 3);
  expectColour(renderer, 24, {60, 0, 0}, 3);
  expectColour(renderer, 35, {150, 0, 0}, 3);  // 6 + 11 = 17 -> source frame 5
}

TEST(SequenceRenderer, FirstTrackInDisplayOrderIsOnTop) {
  LANTERNA_REQUIRE_MEDIA();
  Timeline t;
  const auto red = t.asset(MediaSamples::get().red), blue = t.asset(MediaSamples::get().blue);
  const auto bottom = t.videoTrack();
  const auto top = t.document.requestAddTrack(timeline::TrackKind::Video, "V2", 0).createdId;
  t.place(bottom, 0, 10, red);
  t.place(top, 5, 5, blue);
  auto renderer = t.renderer();
  expectColour(renderer, 2, {255, 0, 0}, 0);
  expectColour(renderer, 6, {0, 0, 255}, 0);
}

TEST(SequenceRenderer, MissingMediaIsAnErrorNamingTheAsset) {
  LANTERNA_REQUIRE_MEDIA();
  Timeline t;
  t.place(t.videoTrack(), 0, 10, 77);
  auto frame = t.renderer().renderFrame(FrameTime{0});
  ASSERT_FALSE(frame);
  EXPECT_NE(frame.error().message.find("77"), std::string::npos);
}

TEST(FrameProvider, LatestRequestWins) {
  LANTERNA_REQUIRE_MEDIA();
  int argc = 0;
  QCoreApplication app(argc, nullptr);
  Timeline t;
  const auto ramp = t.asset(MediaSamples::get().ramp8);
  t.place(t.videoTrack(), 0, 24, ramp);
  app::FrameProvider provider;
  std::vector<qint64> shown;
  QImage last;
  QObject::connect(&provider, &app::FrameProvider::frameReady, &app, [&](qint64 frame, const QImage& image) {
    shown.push_back(frame);
    last = image;
  });
  provider.setSequence(t.document.snapshot(), *app::assetSources(t.store), {.backend = assets::CompositorBackend::Cpu});
  for (int frame = 0; frame < 24; ++frame) provider.requestFrame(FrameTime{frame});
  QElapsedTimer timer;
  timer.start();
  while ((shown.empty() || shown.back() != 23) && timer.elapsed() < 20000) QCoreApplication::processEvents();
  ASSERT_FALSE(shown.empty());
  EXPECT_EQ(shown.back(), 23);
  EXPECT_LT(shown.size(), 24u);  // intermediate requests were replaced, not queued
  EXPECT_EQ(last.size(), QSize(64, 48));
  EXPECT_NEAR(qRed(last.pixel(32, 24)), 210, 3);
}

TEST(SequenceRenderer, EightFpsClipInterpolatesInBetweenFramesAtTwentyFour) {
  LANTERNA_REQUIRE_MEDIA();
  Timeline t;
  const auto ramp = t.asset(MediaSamples::get().ramp8);
  const auto item = t.place(t.videoTrack(), 0, 24, ramp);
  ASSERT_TRUE(t.document.requestSetConform(item, timeline::ConformMode::Interpolate));
  auto renderer = t.renderer();
  // Source frames land on every third project frame; the two between sit a third and two thirds of the way.
  expectColour(renderer, 0, {0, 0, 0}, 3);
  expectColour(renderer, 1, {10, 0, 0}, 3);
  expectColour(renderer, 2, {20, 0, 0}, 3);
  expectColour(renderer, 3, {30, 0, 0}, 3);
  expectColour(renderer, 20, {200, 0, 0}, 3);
  expectColour(renderer, 21, {210, 0, 0}, 3);  // the last source frame, then held: nothing to move towards
  expectColour(renderer, 23, {210, 0, 0}, 3);
}

TEST(SequenceRenderer, HalfSpeedShowsEachSourceFrameTwiceAsLong) {
  LANTERNA_REQUIRE_MEDIA();
  Timeline t;
  const auto ramp = t.asset(MediaSamples::get().ramp8);
  const auto item = t.place(t.videoTrack(), 0, 24, ramp);
  ASSERT_TRUE(t.document.requestSetSpeed(item, timeline::Rational{1, 2}));
  auto renderer = t.renderer();
  EXPECT_EQ(renderer.duration(), FrameTime{48});
  for (std::int64_t at : {0, 5}) expectColour(renderer, at, {0, 0, 0}, 3);
  for (std::int64_t at : {6, 11}) expectColour(renderer, at, {30, 0, 0}, 3);
  expectColour(renderer, 47, {210, 0, 0}, 3);
  // At half speed and interpolated, frame 3 is a quarter of the way from source frame 0 to 1.
  ASSERT_TRUE(t.document.requestSetConform(item, timeline::ConformMode::Interpolate));
  auto smooth = t.renderer();
  expectColour(smooth, 3, {15, 0, 0}, 3);
}

TEST(FrameProvider, EmptyFramesAreNullAndRenderedFramesAreCached) {
  LANTERNA_REQUIRE_MEDIA();
  int argc = 0;
  QCoreApplication app(argc, nullptr);
  Timeline t;
  t.place(t.videoTrack(), 0, 12, t.asset(MediaSamples::get().red));
  app::FrameProvider provider;
  std::vector<std::pair<qint64, QImage>> shown;
  QObject::connect(&provider, &app::FrameProvider::frameReady, &app,
                   [&](qint64 frame, const QImage& image) { shown.emplace_back(frame, image); });
  provider.setSequence(t.document.snapshot(), *app::assetSources(t.store), {.backend = assets::CompositorBackend::Cpu});
  auto waitFor = [&](std::size_t count) {
    QElapsedTimer timer;
    timer.start();
    while (shown.size() < count && timer.elapsed() < 20000) QCoreApplication::processEvents();
    return shown.size() >= count;
  };
  provider.requestFrame(FrameTime{30});  // past the clip: nothing to show
  ASSERT_TRUE(waitFor(1));
  EXPECT_TRUE(shown[0].second.isNull());
  provider.requestFrame(FrameTime{4});
  ASSERT_TRUE(waitFor(2));
  EXPECT_EQ(qRed(shown[1].second.pixel(32, 24)), 255);
  EXPECT_EQ(provider.cachedFrames(), 1);
  provider.requestFrame(FrameTime{4});  // from the cache: delivered before requestFrame returns
  ASSERT_EQ(shown.size(), 3u);
  EXPECT_EQ(shown[2].second, shown[1].second);
  provider.setSequence(t.document.snapshot(), *app::assetSources(t.store), {.backend = assets::CompositorBackend::Cpu});
  EXPECT_EQ(provider.cachedFrames(), 0);  // a new sequence may look different
}
