// GIF colours: libavfilter's palettegen sees every frame first, then paletteuse maps them all onto that one
// palette (so frames come out only after the last one went in).
#pragma once

#include <filesystem>
#include <functional>

#include "ffmpeg_util.h"

struct AVFilterGraph;
struct AVFilterContext;

namespace lanterna::assets {

class GifPaletteFilter {
 public:
  ~GifPaletteFilter();
  Status open(const std::filesystem::path& target, int width, int height, AVRational timeBase);
  // An RGBA frame, or nullptr at the end.
  Status push(AVFrame* frame);
  // Hands every PAL8 frame that is ready to `consume`.
  Status drain(const std::function<Status(AVFrame*)>& consume);

 private:
  std::filesystem::path target_;
  AVFilterGraph* graph_ = nullptr;
  AVFilterContext* source_ = nullptr;
  AVFilterContext* sink_ = nullptr;
  AvFramePtr out_{av_frame_alloc()};
};

}  // namespace lanterna::assets
