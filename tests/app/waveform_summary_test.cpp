// Waveform peaks of generated audio: silence is flat, a burst shows up where it is, at every zoom level; the
// summary survives its file, and the cache makes it once from a real WAV decoded by FFmpeg.
#include <QCoreApplication>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "lanterna/app/waveform_cache.h"
#include "lanterna/app/waveform_summary.h"
#include "temp_dir.h"

using namespace lanterna;
using lanterna::testing::TempDir;

namespace {

constexpr int kRate = 48000;
constexpr double kBurstStart = 1.0, kBurstEnd = 1.5, kAmplitude = 0.8;

// Two seconds of stereo silence with a 440 Hz burst from 1.0 s to 1.5 s.
assets::AudioBuffer burst() {
  assets::AudioBuffer audio{kRate, 2, std::vector<float>(std::size_t(2 * kRate * 2), 0.0f)};
  for (int i = int(kBurstStart * kRate); i < int(kBurstEnd * kRate); ++i) {
    const float v = float(kAmplitude * std::sin(2.0 * M_PI * 440.0 * i / kRate));
    audio.samples[std::size_t(2 * i)] = v;
    audio.samples[std::size_t(2 * i + 1)] = v;
  }
  return audio;
}

void writeWav(const std::filesystem::path& file, const assets::AudioBuffer& audio) {
  std::ofstream out(file, std::ios::binary);
  const auto u32 = [&](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  const auto u16 = [&](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  const auto bytes = std::uint32_t(audio.samples.size() * 2);
  out << "RIFF";
  u32(36 + bytes);
  out << "WAVEfmt ";
  u32(16), u16(1), u16(std::uint16_t(audio.channels)), u32(std::uint32_t(audio.sampleRate));
  u32(std::uint32_t(audio.sampleRate * audio.channels * 2)), u16(std::uint16_t(audio.channels * 2)), u16(16);
  out << "data";
  u32(bytes);
  for (float s : audio.samples) u16(std::uint16_t(std::int16_t(std::lround(s * 32767.0f))));
}

}  // namespace

TEST(WaveformSummary, SilenceIsFlatAndTheBurstIsWhereItWas) {
  const app::WaveformSummary summary = app::summarizeAudio(burst());
  ASSERT_EQ(summary.levels.size(), app::kWaveformSamplesPerPeak.size());
  EXPECT_EQ(summary.frameCount, 2 * kRate);
  EXPECT_DOUBLE_EQ(summary.durationSeconds(), 2.0);
  EXPECT_EQ(summary.levels[0].peaks.size(), std::size_t((2 * kRate + 127) / 128));

  // 200 columns over 2 s (10 ms each, read from level 0), then 20 columns (100 ms each, from level 1).
  for (int columns : {200, 20}) {
    const double width = 2.0 / columns;
    for (int c = 0; c < columns; ++c) {
      const double from = c * width, to = from + width;
      const auto peak = summary.span(from, to);
      const bool inside = from >= kBurstStart && to <= kBurstEnd;
      const bool outside = to <= kBurstStart - 0.01 || from >= kBurstEnd + 0.01;
      if (outside && columns == 200) {
        EXPECT_EQ(peak.max, 0.0f) << "column " << c;
        EXPECT_EQ(peak.min, 0.0f) << "column " << c;
        EXPECT_EQ(peak.rms, 0.0f) << "column " << c;
      }
      if (inside) {
        EXPECT_NEAR(peak.max, kAmplitude, 0.01) << columns << " columns, column " << c;
        EXPECT_NEAR(peak.min, -kAmplitude, 0.01) << columns << " columns, column " << c;
        EXPECT_NEAR(peak.rms, kAmplitude / std::sqrt(2.0), 0.05) << columns << " columns, column " << c;
      }
    }
  }
  // The onset at 1.0 s, to the finest level's 128 samples (2.7 ms).
  EXPECT_EQ(summary.span(0.990, 0.997).max, 0.0f);
  EXPECT_GT(summary.span(1.003, 1.010).max, 0.7f);
  EXPECT_EQ(summary.span(1.503, 1.510).max, 0.0f);
  // Outside the audio there is nothing.
  EXPECT_EQ(summary.span(2.5, 3.0).max, 0.0f);
  EXPECT_EQ(app::summarizeAudio(assets::AudioBuffer{}).levels.size(), 0u);
}

TEST(WaveformSummary, FileRoundTripAndDamagedFilesAreRefused) {
  TempDir dir;
  const auto summary = app::summarizeAudio(burst());
  ASSERT_TRUE(app::saveWaveform(summary, dir / "w.bin"));
  const auto loaded = app::loadWaveform(dir / "w.bin");
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->frameCount, summary.frameCount);
  ASSERT_EQ(loaded->levels.size(), summary.levels.size());
  for (std::size_t i = 0; i < summary.levels.size(); ++i) {
    const auto& want = summary.levels[i].peaks;
    const auto& got = loaded->levels[i].peaks;
    ASSERT_EQ(got.size(), want.size());
    // Every peak of every level, not a sample: the coarse levels hold only a few dozen.
    for (std::size_t p = 0; p < want.size(); ++p) {
      EXPECT_EQ(got[p].min, want[p].min) << "level " << i << ", peak " << p;
      EXPECT_EQ(got[p].max, want[p].max) << "level " << i << ", peak " << p;
      EXPECT_EQ(got[p].rms, want[p].rms) << "level " << i << ", peak " << p;
    }
  }
  EXPECT_EQ(app::loadWaveform(dir / "none.bin").error().kind, ErrorKind::FileNotFound);
  EXPECT_EQ(app::loadWaveform(dir.write("junk.bin", "not a waveform at all")).error().kind,
            ErrorKind::FormatIncorrect);
  std::ifstream in(dir / "w.bin", std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), {}};
  EXPECT_EQ(app::loadWaveform(dir.write("cut.bin", bytes.substr(0, bytes.size() / 2))).error().kind,
            ErrorKind::FormatIncorrect);
}

TEST(WaveformCache, MadeOnceFromADecodedFileAndThenRead) {
  TempDir dir;
  const auto wav = dir / "burst.wav";
  writeWav(wav, burst());
  app::WaveformCache cache(dir / "thumbnails");
  const app::AssetRecord asset{.id = 1, .sha256 = "abc123", .kind = app::AssetKind::Audio};
  auto future = cache.waveformAsync(asset, wav);
  future.waitForFinished();
  const auto made = future.result();
  ASSERT_TRUE(made.summary) << made.error;
  EXPECT_NEAR(made.summary->durationSeconds(), 2.0, 0.01);
  EXPECT_EQ(made.summary->span(0.2, 0.8).max, 0.0f);
  EXPECT_NEAR(made.summary->span(1.1, 1.4).max, kAmplitude, 0.01);
  ASSERT_TRUE(std::filesystem::exists(cache.waveformPath(asset)));
  // The second call reads the file: with the media gone it still answers.
  std::filesystem::remove(wav);
  const auto again = cache.waveform(asset, wav);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_NEAR(again->span(1.1, 1.4).max, kAmplitude, 0.01);
  // No cache file and no media: the error says what is missing.
  const app::AssetRecord other{.id = 2, .sha256 = "def456", .kind = app::AssetKind::Audio};
  EXPECT_FALSE(cache.waveform(other, wav));
}
