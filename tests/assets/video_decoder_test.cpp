#include "lanterna/assets/video_decoder.h"

#include <gtest/gtest.h>

#include <cmath>

#include "media_fixtures.h"

namespace lanterna::assets {
namespace {

using testing::expectError;
using testing::MediaLibrary;

class VideoDecoderTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    ASSERT_TRUE(MediaLibrary::get().ok) << "ffmpeg could not make the test clips";
  }
  // Source frame number encoded in red (20 per frame).
  static int sourceFrameOf(const Frame& frame) { return int(std::lround(frame.row<std::uint8_t>(24)[4 * 32] / 20.0)); }
};

TEST_F(VideoDecoderTest, EveryFrameInOrderAndBack) {
  auto decoder = VideoDecoder::open(MediaLibrary::get().colors);
  ASSERT_TRUE(decoder) << decoder.error().message;
  EXPECT_EQ(decoder->frameCount(), 10);
  for (int i = 0; i < 10; ++i) {
    auto frame = decoder->frameAt(i);
    ASSERT_TRUE(frame) << frame.error().message;
    EXPECT_EQ(frame->width, 64);
    EXPECT_EQ(sourceFrameOf(*frame), i);
  }
  for (int i : {7, 2, 9, 0, 5}) EXPECT_EQ(sourceFrameOf(*decoder->frameAt(i)), i) << "random access " << i;
}

TEST_F(VideoDecoderTest, ConformsToAProjectRate) {
  auto decoder = VideoDecoder::open(MediaLibrary::get().colors, {.outputRate = {25, 1}});
  ASSERT_TRUE(decoder);
  EXPECT_EQ(decoder->frameCount(), 25);
  // Output frame k shows source frame floor(k * 10 / 25).
  for (int k : {0, 1, 2, 3, 5, 12, 24}) EXPECT_EQ(sourceFrameOf(*decoder->frameAt(k)), k * 10 / 25) << k;
}

TEST_F(VideoDecoderTest, VariableRatePicksTheFrameOnScreen) {
  auto decoder = VideoDecoder::open(MediaLibrary::get().vfr, {.outputRate = {10, 1}});
  ASSERT_TRUE(decoder) << decoder.error().message;
  // Frame N is shown from N*N*20 ms: at k/10 s the frame on screen is floor(sqrt(5k)).
  for (int k : {0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 3, 0})
    EXPECT_EQ(sourceFrameOf(*decoder->frameAt(k)), int(std::floor(std::sqrt(5.0 * k)))) << "output frame " << k;
}

TEST_F(VideoDecoderTest, AppliesRotation) {
  auto decoder = VideoDecoder::open(MediaLibrary::get().rotated);
  ASSERT_TRUE(decoder) << decoder.error().message;
  EXPECT_EQ(decoder->width(), 48);
  auto frame = decoder->frameAt(3);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->width, 48);
  EXPECT_EQ(frame->height, 64);
}

TEST_F(VideoDecoderTest, RefusesBadRequestsAndFiles) {
  auto decoder = VideoDecoder::open(MediaLibrary::get().colors);
  ASSERT_TRUE(decoder);
  expectError(decoder->frameAt(10).error(), ErrorKind::InvalidArgument, "colors.mkv");
  expectError(VideoDecoder::open(MediaLibrary::get().tone).error(), ErrorKind::FeatureUnsupported, "tone.wav");
  expectError(VideoDecoder::open(path("missing.mkv")).error(), ErrorKind::FileNotFound, "missing.mkv");
  testing::writeBytes(path("text.mkv"), std::vector<std::uint8_t>(300, 'x'));
  expectError(VideoDecoder::open(path("text.mkv")).error(), ErrorKind::FormatIncorrect, "text.mkv");

  // Matroska keeps its index up front, so a cut file opens and fails when the pictures run out.
  std::filesystem::copy_file(MediaLibrary::get().colors, path("cut.mkv"));
  testing::truncateTo(path("cut.mkv"), 0.3);
  auto cut = VideoDecoder::open(path("cut.mkv"));
  if (!cut) {
    expectError(cut.error(), ErrorKind::Truncated, "cut.mkv");
  } else {
    auto last = cut->frameAt(cut->frameCount() - 1);
    ASSERT_FALSE(last);
    expectError(last.error(), ErrorKind::Truncated, "cut.mkv");
  }
}

}  // namespace
}  // namespace lanterna::assets
