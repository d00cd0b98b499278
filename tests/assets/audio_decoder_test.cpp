#include "lanterna/assets/audio_decoder.h"

#include <gtest/gtest.h>

#include "media_fixtures.h"

namespace lanterna::assets {
namespace {

using testing::expectError;
using testing::MediaLibrary;

class AudioDecoderTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    ASSERT_TRUE(MediaLibrary::get().ok) << "ffmpeg could not make the test clips";
  }
};

TEST_F(AudioDecoderTest, ResamplesToFloatStereo48k) {
  auto audio = decodeAudio(MediaLibrary::get().tone);
  ASSERT_TRUE(audio) << audio.error().message;
  EXPECT_EQ(audio->sampleRate, 48000);
  EXPECT_EQ(audio->channels, 2);
  EXPECT_NEAR(audio->durationSeconds(), 1.0, 0.01);
  // Mono duplicated into both channels.
  EXPECT_FLOAT_EQ(audio->samples[2000], audio->samples[2001]);
  // FFmpeg's sine source peaks at 1/8 full scale.
  const auto peaks = summarizeWaveform(*audio, 10);
  ASSERT_EQ(peaks.size(), 10u);
  for (const auto& bucket : peaks) {
    EXPECT_NEAR(bucket.max, 0.125, 0.01);
    EXPECT_NEAR(bucket.min, -0.125, 0.01);
  }
}

TEST_F(AudioDecoderTest, DecodesAacFromMp4) {
  auto audio = decodeAudio(MediaLibrary::get().clip, {.sampleRate = 48000, .channels = 1});
  ASSERT_TRUE(audio) << audio.error().message;
  EXPECT_EQ(audio->channels, 1);
  EXPECT_NEAR(audio->durationSeconds(), 1.0, 0.05);
}

TEST_F(AudioDecoderTest, WaveformOfSilenceIsFlat) {
  AudioBuffer silent;
  silent.samples.assign(48000 * 2, 0.0f);
  silent.samples[1000] = 0.5f;
  const auto peaks = summarizeWaveform(silent, 4);
  ASSERT_EQ(peaks.size(), 4u);
  EXPECT_FLOAT_EQ(peaks[0].max, 0.5f);
  EXPECT_FLOAT_EQ(peaks[1].max, 0.0f);
  EXPECT_TRUE(summarizeWaveform(AudioBuffer{}, 4).empty());
}

TEST_F(AudioDecoderTest, BadFileSet) {
  expectError(decodeAudio(path("missing.wav")).error(), ErrorKind::FileNotFound, "missing.wav");
  testing::writeBytes(path("text.wav"), std::vector<std::uint8_t>(300, 'x'));
  expectError(decodeAudio(path("text.wav")).error(), ErrorKind::FormatIncorrect, "text.wav");
  expectError(decodeAudio(MediaLibrary::get().colors).error(), ErrorKind::FeatureUnsupported, "colors.mkv");
  std::filesystem::copy_file(MediaLibrary::get().clip, path("cut.mp4"));
  testing::truncateTo(path("cut.mp4"), 0.5);
  expectError(decodeAudio(path("cut.mp4")).error(), ErrorKind::Truncated, "cut.mp4");
  testing::writeBytes(path("empty.wav"), {});
  expectError(decodeAudio(path("empty.wav")).error(), ErrorKind::Truncated, "empty.wav");
}

}  // namespace
}  // namespace lanterna::assets
