#include "lanterna/assets/video_writer.h"

#include <gtest/gtest.h>

#include "lanterna/assets/image_io.h"
#include "lanterna/assets/video_decoder.h"
#include "media_fixtures.h"

namespace lanterna::assets {
namespace {

using testing::expectError;

// Frame i: red = 20 * i, green 128, blue 64, opaque.
Frame numbered(std::int64_t i, int width = 64, int height = 48) {
  Frame frame = Frame::allocate(width, height, PixelFormat::Rgba8);
  for (std::size_t p = 0; p < frame.data.size(); p += 4) {
    frame.data[p] = std::uint8_t(20 * i);
    frame.data[p + 1] = 128;
    frame.data[p + 2] = 64;
    frame.data[p + 3] = 255;
  }
  return frame;
}

class VideoWriterTest : public testing::TempDirTest {
 protected:
  ExportSettings settings(ExportFormat format) const {
    return {.format = format, .width = 64, .height = 48, .frameRate = {10, 1}, .quality = 18,
            .speed = EncoderSpeed::Fast};
  }
  Status write(const std::filesystem::path& target, const ExportSettings& s, int frames = 10) {
    return exportVideo(target, s, frames, [](std::int64_t i) -> Result<Frame> { return numbered(i); });
  }
  // Probe with an exact frame count, then check codec, size, rate, count and duration.
  void expectRoundTrip(const std::filesystem::path& target, const char* codec, Rational rate = {10, 1}) {
    auto info = probeMedia(target, FrameCounting::CountPackets);
    ASSERT_TRUE(info) << info.error().message;
    ASSERT_NE(info->video(), nullptr);
    EXPECT_EQ(info->video()->codec, codec);
    EXPECT_EQ(info->video()->width, 64);
    EXPECT_EQ(info->video()->height, 48);
    EXPECT_NEAR(info->video()->frameRate.value(), rate.value(), 1e-3);
    EXPECT_EQ(info->video()->frameCount, 10);
    EXPECT_NEAR(info->durationSeconds, 10 / rate.value(), 0.15);
    EXPECT_FALSE(std::filesystem::exists(exportTemporaryPath(target)));
  }
  void expectFrameColour(const std::filesystem::path& target, int index, int tolerance) {
    auto decoder = VideoDecoder::open(target);
    ASSERT_TRUE(decoder) << decoder.error().message;
    auto frame = decoder->frameAt(index);
    ASSERT_TRUE(frame) << frame.error().message;
    const auto* px = frame->row<std::uint8_t>(24) + 4 * 32;
    EXPECT_NEAR(px[0], 20 * index, tolerance);
    EXPECT_NEAR(px[1], 128, tolerance);
    EXPECT_NEAR(px[2], 64, tolerance);
  }
};

TEST_F(VideoWriterTest, H264RoundTripWithMetadataAndAudio) {
  auto tone = decodeAudio(testing::MediaLibrary::get().tone);
  ASSERT_TRUE(tone) << tone.error().message;
  auto s = settings(ExportFormat::Mp4H264);
  s.audio = &*tone;
  s.metadata = {{"comment", "made by a test"}, {"lanterna_parameters", "seed=7 steps=30"}};
  ASSERT_TRUE(write(path("out.mp4"), s));
  expectRoundTrip(path("out.mp4"), "h264");
  auto info = probeMedia(path("out.mp4"));
  ASSERT_NE(info->audio(), nullptr);
  EXPECT_EQ(info->audio()->codec, "aac");
  EXPECT_EQ(info->audio()->sampleRate, 48000);
  EXPECT_EQ(info->audio()->channels, 2);
  EXPECT_EQ(info->tag("comment"), "made by a test");
  EXPECT_EQ(info->tag("lanterna_parameters"), "seed=7 steps=30");
  EXPECT_NE(info->tag("lanterna_version").find("Lanterna"), std::string::npos);
  expectFrameColour(path("out.mp4"), 7, 6);
}

TEST_F(VideoWriterTest, HevcProResVp9RoundTrip) {
  ASSERT_TRUE(write(path("hevc.mp4"), settings(ExportFormat::Mp4Hevc)));
  expectRoundTrip(path("hevc.mp4"), "hevc");
  ASSERT_TRUE(write(path("prores.mov"), settings(ExportFormat::MovProRes)));
  expectRoundTrip(path("prores.mov"), "prores");
  expectFrameColour(path("prores.mov"), 4, 4);
  auto tone = decodeAudio(testing::MediaLibrary::get().tone);
  auto webm = settings(ExportFormat::WebmVp9);
  webm.audio = &*tone;
  webm.metadata = {{"lanterna_parameters", "vp9"}};
  ASSERT_TRUE(write(path("out.webm"), webm));
  expectRoundTrip(path("out.webm"), "vp9");
  auto info = probeMedia(path("out.webm"));
  ASSERT_NE(info->audio(), nullptr);
  EXPECT_EQ(info->audio()->codec, "opus");
  EXPECT_EQ(info->tag("LANTERNA_PARAMETERS").empty() && info->tag("lanterna_parameters").empty(), false);
}

TEST_F(VideoWriterTest, RationalRate) {
  auto s = settings(ExportFormat::Mp4H264);
  s.frameRate = {30000, 1001};
  ASSERT_TRUE(write(path("ntsc.mp4"), s));
  expectRoundTrip(path("ntsc.mp4"), "h264", {30000, 1001});
}

TEST_F(VideoWriterTest, GifUsesOnePaletteForAllFrames) {
  ASSERT_TRUE(write(path("anim.gif"), settings(ExportFormat::Gif)));
  expectRoundTrip(path("anim.gif"), "gif");
  expectFrameColour(path("anim.gif"), 6, 8);
}

TEST_F(VideoWriterTest, PngSequenceKeepsText) {
  auto s = settings(ExportFormat::PngSequence);
  s.metadata = {{"parameters", "a cat"}};
  ASSERT_TRUE(write(path("frames"), s));
  ASSERT_TRUE(std::filesystem::is_directory(path("frames")));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(path("frames")), {}), 10);
  auto text = readPngText(path("frames") / "frame_000009.png");
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, (PngTextChunks{{"parameters", "a cat"}}));
  auto last = loadImage(path("frames") / "frame_000009.png");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->data, numbered(9).data);
}

TEST_F(VideoWriterTest, CancelAndErrorsLeaveNoFile) {
  std::atomic<bool> cancel{false};
  std::int64_t lastReported = 0;
  auto cancelled = exportVideo(
      path("cancel.mp4"), settings(ExportFormat::Mp4H264), 10,
      [&](std::int64_t i) -> Result<Frame> {
        if (i == 4) cancel = true;
        return numbered(i);
      },
      [&](std::int64_t done, std::int64_t total) { lastReported = done; EXPECT_EQ(total, 10); }, &cancel);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().kind, ErrorKind::Cancelled);
  EXPECT_EQ(lastReported, 5);

  auto failed = exportVideo(path("fail.webm"), settings(ExportFormat::WebmVp9), 10, [&](std::int64_t i) -> Result<Frame> {
    if (i == 3) return makeError(ErrorKind::Internal, "generator broke");
    return numbered(i);
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "generator broke");
  auto empty = write(path("empty.mp4"), settings(ExportFormat::Mp4H264), 0);
  ASSERT_FALSE(empty);
  expectError(empty.error(), ErrorKind::InvalidArgument, "empty.mp4");
  {
    auto writer = VideoWriter::open(path("dropped.mov"), settings(ExportFormat::MovProRes));
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->writeFrame(numbered(0)));
    expectError(writer->writeFrame(numbered(1, 32, 32)).error(), ErrorKind::InvalidArgument, "dropped.mov");
  }
  {
    auto writer = VideoWriter::open(path("destroyed.mp4"), settings(ExportFormat::Mp4H264));
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->writeFrame(numbered(0)));
  }
  // Nothing at all is left in the folder: no target, no temp file.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 0);
}

TEST_F(VideoWriterTest, RefusesBadSettingsUpFront) {
  auto odd = settings(ExportFormat::Mp4H264);
  odd.width = 63;
  expectError(VideoWriter::open(path("odd.mp4"), odd).error(), ErrorKind::InvalidArgument, "odd.mp4");
  auto norate = settings(ExportFormat::WebmVp9);
  norate.frameRate = {};
  expectError(VideoWriter::open(path("norate.webm"), norate).error(), ErrorKind::InvalidArgument, "norate.webm");
  AudioBuffer audio;
  audio.samples.assign(960, 0.f);
  auto gifAudio = settings(ExportFormat::Gif);
  gifAudio.audio = &audio;
  expectError(VideoWriter::open(path("a.gif"), gifAudio).error(), ErrorKind::FeatureUnsupported, "a.gif");
  expectError(VideoWriter::open(path("no/such/dir/x.mp4"), settings(ExportFormat::Mp4H264)).error(),
              ErrorKind::NoWriteAccess, "x.mp4");
}

}  // namespace
}  // namespace lanterna::assets
