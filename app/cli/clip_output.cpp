#include "clip_output.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "lanterna/assets/video_writer.h"

namespace lanterna::cli {
namespace {

Result<assets::ExportFormat> clipFormat(const std::filesystem::path& out) {
  std::string ext = out.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".mp4") return assets::ExportFormat::Mp4H264;
  if (ext == ".webm") return assets::ExportFormat::WebmVp9;
  if (ext == ".gif") return assets::ExportFormat::Gif;
  if (ext == ".mov") return assets::ExportFormat::MovProRes;
  return makeError(ErrorKind::InvalidArgument,
                   "\"" + out.string() + "\": a clip is written as .mp4, .webm, .gif or .mov.", out);
}

// 8 -> 8/1; 7.5 -> 7500/1000 (exact for the rates people type).
assets::Rational frameRate(double fps) {
  if (std::abs(fps - std::round(fps)) < 1e-9) return {static_cast<int>(std::lround(fps)), 1};
  return {static_cast<int>(std::lround(fps * 1000.0)), 1000};
}

assets::Frame toFrame(const inference::Image& image) {
  assets::Frame frame = assets::Frame::allocate(image.width, image.height, assets::PixelFormat::Rgba8);
  for (int y = 0; y < image.height; ++y) {
    const std::uint8_t* in = &image.rgb[static_cast<size_t>(y) * image.width * 3];
    std::uint8_t* row = frame.row<std::uint8_t>(y);
    for (int x = 0; x < image.width; ++x) {
      row[4 * x] = in[3 * x];
      row[4 * x + 1] = in[3 * x + 1];
      row[4 * x + 2] = in[3 * x + 2];
      row[4 * x + 3] = 255;
    }
  }
  return frame;
}

}  // namespace

Status writeClip(const std::filesystem::path& out, const std::vector<inference::Image>& frames, double fps,
                 const std::string& parameters) {
  if (frames.empty()) return makeError(ErrorKind::InvalidArgument, "The generation returned no frames.");
  auto format = clipFormat(out);
  if (!format) return format.error();
  assets::ExportSettings settings;
  settings.format = *format;
  settings.width = frames.front().width;
  settings.height = frames.front().height;
  settings.frameRate = frameRate(fps);
  settings.quality = 18;  // generated clips are short: keep them close to what the model made
  if (!parameters.empty()) settings.metadata.push_back({"comment", parameters});
  return assets::exportVideo(out, settings, static_cast<std::int64_t>(frames.size()),
                             [&](std::int64_t index) -> Result<assets::Frame> { return toFrame(frames[index]); });
}

}  // namespace lanterna::cli
