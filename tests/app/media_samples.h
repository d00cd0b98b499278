// Tiny media for the app tests (64x48), made once and shared by every test process of the binary: built in a
// temp folder and renamed into place, so concurrent ctest processes never see a half-made set.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lanterna/assets/frame.h"
#include "lanterna/assets/image_io.h"

namespace lanterna::testing {

struct MediaSamples {
  std::filesystem::path dir;
  std::filesystem::path red, blue;     // PNG stills, solid (255,0,0) and (0,0,255)
  std::filesystem::path ramp8;         // 8 fps, 8 frames, frame N has red = 30 * N (lossless H.264 4:4:4, MKV)
  std::filesystem::path clip;          // testsrc 10 fps 1 s, H.264 + AAC
  std::filesystem::path tone;          // WAV, 1 s of 440 Hz, 48 kHz stereo
  std::filesystem::path empty;         // zero-byte .png
  std::filesystem::path huge;          // PNG whose header claims 100000x100000
  std::filesystem::path truncated;     // clip.mp4 cut at 40%
  std::filesystem::path unknownCodec;  // MKV whose codec id nobody decodes
  std::filesystem::path text;          // text named .mp4
  bool ok = false;

  static const MediaSamples& get() {
    static const MediaSamples samples = make();
    return samples;
  }

 private:
  static bool ffmpeg(const std::string& args) {
    return std::system(("ffmpeg -nostdin -hide_banner -loglevel error -y " + args).c_str()) == 0;
  }

  static std::string read(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static void write(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary) << bytes;
  }

  static bool solid(const std::filesystem::path& file, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    auto frame = assets::Frame::allocate(64, 48, assets::PixelFormat::Rgba8);
    for (std::size_t i = 0; i < frame.data.size(); i += 4) {
      frame.data[i] = r; frame.data[i + 1] = g; frame.data[i + 2] = b; frame.data[i + 3] = 255;
    }
    return bool(assets::saveImage(frame, file));
  }

  static bool build(const std::filesystem::path& d) {
    std::filesystem::create_directories(d);
    const auto q = [&](const char* name) { return "\"" + (d / name).string() + "\""; };
    if (!solid(d / "red.png", 255, 0, 0) || !solid(d / "blue.png", 0, 0, 255)) return false;
    if (!ffmpeg("-f lavfi -i \"color=c=black:s=64x48:r=8:d=1,format=gbrp,geq=r='N*30':g=0:b=0\" -c:v libx264 "
                "-pix_fmt yuv444p -qp 0 " + q("ramp8.mkv")) ||
        !ffmpeg("-f lavfi -i testsrc=size=64x48:rate=10:duration=1 -f lavfi -i sine=frequency=440:sample_rate=48000"
                ":duration=1 -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest " + q("clip.mp4")) ||
        !ffmpeg("-f lavfi -i sine=frequency=440:sample_rate=48000:duration=1 -ac 2 " + q("tone.wav")))
      return false;
    write(d / "empty.png", "");
    std::string png = read(d / "red.png");
    for (int at : {16, 20}) png.replace(std::size_t(at), 4, std::string("\x00\x01\x86\xA0", 4));
    write(d / "huge.png", png);
    const std::string clip = read(d / "clip.mp4");
    write(d / "truncated.mp4", clip.substr(0, clip.size() * 4 / 10));
    std::string mkv = read(d / "ramp8.mkv");
    const auto at = mkv.find("V_MPEG4/ISO/AVC");
    if (at == std::string::npos) return false;
    write(d / "unknown_codec.mkv", mkv.replace(at, 15, "V_LANTERNA/NOPE"));
    write(d / "text.mp4", std::string(400, 'x'));
    return true;
  }

  static MediaSamples make() {
    MediaSamples m;
    m.dir = std::filesystem::temp_directory_path() / ("lanterna-app-media-v1-" + std::to_string(::getuid()));
    if (!std::filesystem::exists(m.dir / "done")) {
      const auto partial = m.dir.string() + ".partial-" + std::to_string(::getpid());
      std::filesystem::remove_all(partial);
      if (build(partial)) {
        write(std::filesystem::path(partial) / "done", "1");
        std::error_code lost;  // another process may have won the race: its set is as good as ours
        std::filesystem::rename(partial, m.dir, lost);
      }
      std::filesystem::remove_all(partial);
    }
    m.ok = std::filesystem::exists(m.dir / "done");
    m.red = m.dir / "red.png";
    m.blue = m.dir / "blue.png";
    m.ramp8 = m.dir / "ramp8.mkv";
    m.clip = m.dir / "clip.mp4";
    m.tone = m.dir / "tone.wav";
    m.empty = m.dir / "empty.png";
    m.huge = m.dir / "huge.png";
    m.truncated = m.dir / "truncated.mp4";
    m.unknownCodec = m.dir / "unknown_codec.mkv";
    m.text = m.dir / "text.mp4";
    return m;
  }
};

// Skips the test when ffmpeg could not make the samples (the reason is the missing CLI).
#define LANTERNA_REQUIRE_MEDIA()                                                          \
  do {                                                                                   \
    if (!::lanterna::testing::MediaSamples::get().ok) GTEST_SKIP() << "ffmpeg CLI could not make test media"; \
  } while (0)

}  // namespace lanterna::testing
