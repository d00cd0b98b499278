#include "lanterna/assets/media_probe.h"

#include <gtest/gtest.h>

#include "media_fixtures.h"

namespace lanterna::assets {
namespace {

using testing::expectError;
using testing::MediaLibrary;

class MediaProbeTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    ASSERT_TRUE(MediaLibrary::get().ok) << "ffmpeg could not make the test clips";
  }
};

TEST_F(MediaProbeTest, ReadsVideoAndAudioStreams) {
  auto info = probeMedia(MediaLibrary::get().clip);
  ASSERT_TRUE(info) << info.error().message;
  ASSERT_NE(info->video(), nullptr);
  ASSERT_NE(info->audio(), nullptr);
  EXPECT_EQ(info->video()->codec, "h264");
  EXPECT_EQ(info->video()->width, 64);
  EXPECT_EQ(info->video()->height, 48);
  EXPECT_EQ(info->video()->frameRate, (Rational{10, 1}));
  EXPECT_EQ(info->video()->frameCount, 10);
  EXPECT_EQ(info->video()->rotationDegrees, 0);
  EXPECT_EQ(info->audio()->codec, "aac");
  EXPECT_EQ(info->audio()->sampleRate, 44100);
  EXPECT_EQ(info->audio()->channels, 1);
  EXPECT_NEAR(info->durationSeconds, 1.0, 0.05);
}

TEST_F(MediaProbeTest, ReadsRotationAndCountsPackets) {
  auto rotated = probeMedia(MediaLibrary::get().rotated);
  ASSERT_TRUE(rotated) << rotated.error().message;
  EXPECT_EQ(rotated->video()->rotationDegrees, 90);
  EXPECT_EQ(rotated->video()->displayWidth(), 48);
  auto vfr = probeMedia(MediaLibrary::get().vfr, FrameCounting::CountPackets);
  ASSERT_TRUE(vfr);
  EXPECT_TRUE(vfr->video()->frameCountExact);
  EXPECT_EQ(vfr->video()->frameCount, 10);
}

TEST_F(MediaProbeTest, BadFileSet) {
  expectError(probeMedia(path("missing.mp4")).error(), ErrorKind::FileNotFound, "missing.mp4");

  testing::writeBytes(path("notes.mp4"), std::vector<std::uint8_t>(300, 'x'));
  expectError(probeMedia(path("notes.mp4")).error(), ErrorKind::FormatIncorrect, "notes.mp4");

  testing::writeBytes(path("empty.mp4"), {});
  expectError(probeMedia(path("empty.mp4")).error(), ErrorKind::Truncated, "empty.mp4");

  std::filesystem::copy_file(MediaLibrary::get().clip, path("cut.mp4"));
  testing::truncateTo(path("cut.mp4"), 0.5);  // the moov atom sits at the end: gone
  expectError(probeMedia(path("cut.mp4")).error(), ErrorKind::Truncated, "cut.mp4");

  std::filesystem::copy_file(MediaLibrary::get().clip, path("locked.mp4"));
  std::filesystem::permissions(path("locked.mp4"), std::filesystem::perms::none);
  if (!testing::canReadDespiteChmod(path("locked.mp4")))
    expectError(probeMedia(path("locked.mp4")).error(), ErrorKind::NoReadAccess, "locked.mp4");
}

}  // namespace
}  // namespace lanterna::assets
