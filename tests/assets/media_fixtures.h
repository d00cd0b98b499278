// Test fixtures for assets/: a fresh temp folder per test, the ffmpeg CLI for generated clips, byte helpers.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "lanterna/assets/frame.h"
#include "lanterna/result.h"

namespace lanterna::testing {

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("lanterna_assets_" + std::string(info->test_suite_name()) + "_" + info->name() + "_" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path path(const std::string& name) const { return dir_ / name; }
  std::filesystem::path dir_;
};

// Runs the ffmpeg CLI quietly; returns true on success.
inline bool ffmpeg(const std::string& args) {
  return std::system(("ffmpeg -nostdin -hide_banner -loglevel error -y " + args).c_str()) == 0;
}

inline std::vector<std::uint8_t> readBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void writeBytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

inline void truncateTo(const std::filesystem::path& path, double fraction) {
  auto bytes = readBytes(path);
  bytes.resize(std::size_t(bytes.size() * fraction));
  writeBytes(path, bytes);
}

// Asserts the error kind and that the message names the file.
inline void expectError(const Error& error, ErrorKind kind, const std::filesystem::path& file) {
  EXPECT_EQ(error.kind, kind) << errorKindName(error.kind) << ": " << error.message;
  EXPECT_NE(error.message.find(file.filename().string()), std::string::npos) << error.message;
}

// True when root (or a capability) can read a file even after chmod 000: the unreadable case cannot be made.
inline bool canReadDespiteChmod(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return in.good();
}

// A frame whose pixels encode their position so orientation and fit can be checked.
inline assets::Frame gradientFrame(int width, int height) {
  auto frame = assets::Frame::allocate(width, height, assets::PixelFormat::Rgba8);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      auto* px = frame.row<std::uint8_t>(y) + 4 * x;
      px[0] = std::uint8_t(x * 255 / std::max(width - 1, 1));
      px[1] = std::uint8_t(y * 255 / std::max(height - 1, 1));
      px[2] = std::uint8_t((x + y) % 256);
      px[3] = 255;
    }
  return frame;
}

// Clips made once per test process with the ffmpeg CLI (64x48, 10 frames): shared, never modified by tests.
struct MediaLibrary {
  std::filesystem::path dir;
  std::filesystem::path clip;    // testsrc 10 fps 1 s, H.264 + AAC 44.1 kHz mono sine
  std::filesystem::path colors;  // 10 fps CFR, frame N has red = 20 * N (lossless H.264 4:4:4)
  std::filesystem::path vfr;     // same colors, frame N shown at N*N*20 ms
  std::filesystem::path rotated; // clip.mp4 with a 90-degree display matrix patched into tkhd
  std::filesystem::path tone;    // WAV, 1 s of 440 Hz, 44.1 kHz mono
  bool ok = false;

  static const MediaLibrary& get() {
    static const MediaLibrary library = make();
    return library;
  }

 private:
  static MediaLibrary make() {
    MediaLibrary m;
    m.dir = std::filesystem::temp_directory_path() / ("lanterna_media_library_" + std::to_string(::getpid()));
    std::filesystem::create_directories(m.dir);
    m.clip = m.dir / "clip.mp4";
    m.colors = m.dir / "colors.mkv";
    m.vfr = m.dir / "vfr.mkv";
    m.rotated = m.dir / "rotated.mp4";
    m.tone = m.dir / "tone.wav";
    const std::string colors = "-f lavfi -i \"color=c=black:s=64x48:r=10:d=1,format=gbrp,geq=r='N*20':g=128:b=0";
    m.ok = ffmpeg("-f lavfi -i testsrc=size=64x48:rate=10:duration=1 -f lavfi -i sine=frequency=440:sample_rate=44100"
                  ":duration=1 -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest " + m.clip.string()) &&
           ffmpeg(colors + "\" -c:v libx264 -pix_fmt yuv444p -qp 0 " + m.colors.string()) &&
           ffmpeg(colors + ",settb=1/1000,setpts=N*N*20\" -fps_mode passthrough -c:v libx264 -pix_fmt yuv444p -qp 0 " +
                  m.vfr.string()) &&
           ffmpeg("-f lavfi -i sine=frequency=440:sample_rate=44100:duration=1 " + m.tone.string());
    // Rotation: FFmpeg 5's CLI cannot set it, so patch the tkhd matrix to {0 1 0; -1 0 0; 0 0 1}.
    auto bytes = readBytes(m.clip);
    const std::string tkhd = "tkhd";
    auto at = std::search(bytes.begin(), bytes.end(), tkhd.begin(), tkhd.end());
    if (at != bytes.end() && at + 80 < bytes.end()) {
      const std::int32_t matrix[9] = {0, 65536, 0, -65536, 0, 0, 0, 0, 0x40000000};
      auto out = at + 44;
      for (std::int32_t v : matrix)
        for (int shift = 24; shift >= 0; shift -= 8) *out++ = std::uint8_t(std::uint32_t(v) >> shift);
      writeBytes(m.rotated, bytes);
    } else {
      m.ok = false;
    }
    return m;
  }
};

}  // namespace lanterna::testing
