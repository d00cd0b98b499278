// Test fixtures for assets/: a fresh temp folder per test, the ffmpeg CLI for generated clips, byte helpers.
#pragma once

#include <gtest/gtest.h>

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

}  // namespace lanterna::testing
