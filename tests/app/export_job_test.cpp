// Exports decoded back with FFmpeg: codec, size, rate, frame count, duration, sound length, the crossfade's middle
// frame, metadata; cancel leaves no file; bad requests are refused before anything is written.
#include <gtest/gtest.h>

#include "lanterna/app/export_job.h"
#include "lanterna/app/media_import.h"
#include "lanterna/app/project_store.h"
#include "lanterna/assets/media_probe.h"
#include "lanterna/assets/video_decoder.h"
#include "lanterna/timeline/document.h"
#include "media_samples.h"
#include "temp_dir.h"

using namespace lanterna;
using lanterna::testing::MediaSamples;
using lanterna::testing::TempDir;
using timeline::FrameTime;

namespace {

// A saved project: red still (0-12) crossfading (length 5) into blue (12-24) on V1, the 1 s tone on A1,
// and a prompt item over it all.
struct Exportable {
  TempDir dir;
  app::ProjectStore store = std::move(*app::ProjectStore::create(dir / "p.lanterna", {"P", {24, 1}, 64, 48}));

  Exportable() {
    const auto& media = MediaSamples::get();
    auto document = std::move(*timeline::Document::fromSnapshot(*store.load()));
    auto imported = app::importMediaFiles(store, *document, {media.red, media.blue, media.tone});
    EXPECT_TRUE(imported) << imported.error().message;
    const auto red = (*imported)[0].item, blue = (*imported)[1].item;
    EXPECT_TRUE(document->requestTrim(red, timeline::Edge::End, FrameTime{12}));
    EXPECT_TRUE(document->requestMove(blue, (*imported)[1].track, FrameTime{12}));
    EXPECT_TRUE(document->requestTrim(blue, timeline::Edge::End, FrameTime{24}));
    EXPECT_TRUE(document->requestSetCrossfade(blue, FrameTime{5}));
    const auto prompts = document->requestAddTrack(timeline::TrackKind::Prompt, "P1", 0).createdId;
    timeline::GenerationSettings settings;
    settings.prompt = "a red square fading to blue";
    EXPECT_TRUE(document->requestInsertItem(prompts, FrameTime{0}, FrameTime{24}, timeline::PromptPayload{settings}));
    EXPECT_TRUE(store.save(document->snapshot()));
  }

  Result<app::ExportJob> job(app::ExportRequest request) {
    request.backend = assets::CompositorBackend::Cpu;
    return app::ExportJob::create(store, std::move(request));
  }
};

Status exportWith(Exportable& project, const app::ExportRequest& request) {
  auto job = project.job(request);
  if (!job) return job.error();
  return job->run();
}

}  // namespace

TEST(ExportJob, Mp4RoundTripHasPictureSoundAndMetadata) {
  LANTERNA_REQUIRE_MEDIA();
  Exportable project;
  const auto out = project.dir / "out.mp4";
  auto job = project.job({.output = out, .format = assets::ExportFormat::Mp4H264, .quality = 10});
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->frameCount(), 24);
  std::vector<app::ExportProgressInfo> progress;
  auto done = job->run([&](const app::ExportProgressInfo& p) { progress.push_back(p); });
  ASSERT_TRUE(done) << done.error().message;
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().framesDone, 24);
  EXPECT_EQ(progress.back().framesTotal, 24);
  EXPECT_GE(progress.back().etaSeconds, 0.0);

  auto info = assets::probeMedia(out, assets::FrameCounting::CountPackets);
  ASSERT_TRUE(info) << info.error().message;
  const auto* video = info->video();
  ASSERT_TRUE(video);
  EXPECT_EQ(video->codec, "h264");
  EXPECT_EQ(video->width, 64);
  EXPECT_EQ(video->height, 48);
  EXPECT_EQ(video->frameRate, (assets::Rational{24, 1}));
  EXPECT_EQ(video->frameCount, 24);
  EXPECT_NEAR(video->durationSeconds, 1.0, 0.05);
  const auto* audio = info->audio();
  ASSERT_TRUE(audio);
  EXPECT_NEAR(audio->durationSeconds, video->durationSeconds, 0.05);
  auto sound = assets::decodeAudio(out);
  ASSERT_TRUE(sound);
  EXPECT_NEAR(sound->durationSeconds(), 1.0, 0.05);
  EXPECT_NE(info->tag("comment").find("Lanterna"), std::string::npos);
  EXPECT_NE(info->tag("lanterna_parameters").find("a red square fading to blue"), std::string::npos);

  // The crossfade's middle frame (the cut at 12) is half red, half blue, within codec error.
  auto decoder = assets::VideoDecoder::open(out);
  ASSERT_TRUE(decoder);
  auto middle = decoder->frameAt(12);
  ASSERT_TRUE(middle);
  const auto* px = middle->row<std::uint8_t>(24) + 4 * 32;
  EXPECT_NEAR(px[0], 128, 8);
  EXPECT_NEAR(px[1], 0, 8);
  EXPECT_NEAR(px[2], 128, 8);
  auto earlyFrame = decoder->frameAt(2);  // kept: a pointer into the temporary Result dangled (ASan)
  ASSERT_TRUE(earlyFrame);
  const auto* early = earlyFrame->row<std::uint8_t>(24) + 4 * 32;
  EXPECT_NEAR(early[0], 255, 8);
}

TEST(ExportJob, RangeSizeAndRateAreHonoured) {
  LANTERNA_REQUIRE_MEDIA();
  Exportable project;
  const auto out = project.dir / "part.webm";
  ASSERT_TRUE(exportWith(project, {.output = out, .format = assets::ExportFormat::WebmVp9, .in = FrameTime{6},
                                   .out = FrameTime{18}, .width = 32, .height = 24, .fps = timeline::FrameRate{12, 1}}));
  auto info = assets::probeMedia(out, assets::FrameCounting::CountPackets);
  ASSERT_TRUE(info);
  ASSERT_TRUE(info->video());
  EXPECT_EQ(info->video()->codec, "vp9");
  EXPECT_EQ(info->video()->width, 32);
  EXPECT_EQ(info->video()->height, 24);
  EXPECT_EQ(info->video()->frameCount, 6);  // 12 frames at 24 fps = 0.5 s = 6 frames at 12 fps
  ASSERT_TRUE(info->audio());
  auto sound = assets::decodeAudio(out);
  ASSERT_TRUE(sound);
  EXPECT_NEAR(sound->durationSeconds(), 0.5, 0.03);
}

TEST(ExportJob, OtherFormats) {
  LANTERNA_REQUIRE_MEDIA();
  Exportable project;
  const std::vector<std::tuple<assets::ExportFormat, std::string, std::string>> formats = {
      {assets::ExportFormat::MovProRes, "out.mov", "prores"},
      {assets::ExportFormat::Gif, "out.gif", "gif"},
      {assets::ExportFormat::Mp4Hevc, "out-hevc.mp4", "hevc"}};
  for (const auto& [format, name, codec] : formats) {
    auto done = exportWith(project, {.output = project.dir / name, .format = format});
    if (!done && done.error().kind == ErrorKind::FeatureUnsupported) continue;  // encoder not built in
    ASSERT_TRUE(done) << name << ": " << done.error().message;
    auto info = assets::probeMedia(project.dir / name, assets::FrameCounting::CountPackets);
    ASSERT_TRUE(info) << name;
    EXPECT_EQ(info->video()->codec, codec);
    EXPECT_EQ(info->video()->frameCount, 24) << name;
    EXPECT_EQ(info->audio() != nullptr, format != assets::ExportFormat::Gif) << name;
  }
  ASSERT_TRUE(exportWith(project, {.output = project.dir / "frames", .format = assets::ExportFormat::PngSequence}));
  int pngs = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(project.dir / "frames"))
    pngs += entry.path().extension() == ".png";
  EXPECT_EQ(pngs, 24);
}

TEST(ExportJob, CancelLeavesNoFile) {
  LANTERNA_REQUIRE_MEDIA();
  Exportable project;
  const auto out = project.dir / "cancelled.mp4";
  auto job = project.job({.output = out});
  ASSERT_TRUE(job);
  auto done = job->run([&](const app::ExportProgressInfo& p) {
    if (p.framesDone == 3) job->cancel();
  });
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().kind, ErrorKind::Cancelled);
  EXPECT_FALSE(std::filesystem::exists(out));
  for (const auto& entry : std::filesystem::directory_iterator(project.dir.path()))
    EXPECT_EQ(entry.path().filename().string().find("cancelled"), std::string::npos) << entry.path();
}

TEST(ExportJob, BadRequestsAreRefusedUpFront) {
  LANTERNA_REQUIRE_MEDIA();
  Exportable project;
  const auto out = project.dir / "x.mp4";
  const std::vector<app::ExportRequest> bad = {
      {.output = out, .in = FrameTime{10}, .out = FrameTime{5}},
      {.output = out, .out = FrameTime{25}},
      {.output = out, .width = 64},
      {.output = out, .fps = timeline::FrameRate{0, 1}},
      {.output = project.dir / "no-such-folder" / "x.mp4"},
      {.output = out, .format = assets::ExportFormat::Unset},
  };
  for (const auto& request : bad) {
    auto job = project.job(request);
    ASSERT_FALSE(job) << request.output;
    EXPECT_EQ(job.error().kind, ErrorKind::InvalidArgument);
    EXPECT_NE(job.error().message.find("x.mp4"), std::string::npos) << job.error().message;
  }
  TempDir empty;
  auto store = app::ProjectStore::create(empty / "e.lanterna", {});
  auto nothing = app::ExportJob::create(*store, {.output = empty / "x.mp4"});
  ASSERT_FALSE(nothing);
  EXPECT_NE(nothing.error().message.find("empty"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(ExportJob, AudioMixPlacesItemsAndMatchesLength) {
  LANTERNA_REQUIRE_MEDIA();
  Exportable project;
  auto snapshot = *project.store.load();
  auto sources = *app::assetSources(project.store);
  // Frames 12..36: the tone (0..24) covers the first half only, the rest is silence.
  auto mix = app::mixAudio(snapshot, sources, FrameTime{12}, FrameTime{36}, 48000);
  ASSERT_TRUE(mix);
  EXPECT_EQ(mix->frameCount(), 48000);
  float firstHalf = 0, secondHalf = 0;
  for (std::int64_t i = 0; i < 48000; ++i) {
    float& peak = i < 24000 ? firstHalf : secondHalf;
    peak = std::max(peak, std::abs(mix->samples[std::size_t(2 * i)]));
  }
  EXPECT_GT(firstHalf, 0.05f);  // lavfi sine peaks at 1/8, -3 dB per channel in stereo
  EXPECT_EQ(secondHalf, 0.0f);
}

// An 8 fps generation (8 frames) in a 24 fps project, conformed by optical flow: three times the frames, and the
// in-between frames are in-betweens (frame 1 is a third of the way from source frame 0 to 1), not repeats.
TEST(ExportJob, EightFpsClipInterpolatedToTwentyFourHasThreeTimesTheFrames) {
  LANTERNA_REQUIRE_MEDIA();
  TempDir dir;
  auto store = std::move(*app::ProjectStore::create(dir / "p.lanterna", {"P", {24, 1}, 64, 48}));
  auto document = std::move(*timeline::Document::fromSnapshot(*store.load()));
  auto imported = app::importMediaFiles(store, *document, {MediaSamples::get().ramp8});
  ASSERT_TRUE(imported) << imported.error().message;
  ASSERT_TRUE(document->requestSetConform((*imported)[0].item, timeline::ConformMode::Interpolate));
  ASSERT_TRUE(store.save(document->snapshot()));
  const auto out = dir / "smooth.mov";
  auto job = app::ExportJob::create(store, {.output = out, .format = assets::ExportFormat::MovProRes,
                                            .backend = assets::CompositorBackend::Cpu});
  ASSERT_TRUE(job) << job.error().message;
  ASSERT_TRUE(job->run());

  auto source = assets::probeMedia(MediaSamples::get().ramp8, assets::FrameCounting::CountPackets);
  auto info = assets::probeMedia(out, assets::FrameCounting::CountPackets);
  ASSERT_TRUE(source && info);
  EXPECT_EQ(info->video()->frameCount, 3 * source->video()->frameCount);
  auto decoder = assets::VideoDecoder::open(out);
  ASSERT_TRUE(decoder);
  const int expected[] = {0, 10, 20, 30, 40};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(decoder->frameAt(i)->row<std::uint8_t>(24)[4 * 32], expected[i], 4) << i;
}
