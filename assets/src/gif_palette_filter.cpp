#include "gif_palette_filter.h"

#include "file_util.h"

extern "C" {
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
}

#include <string>

namespace lanterna::assets {

GifPaletteFilter::~GifPaletteFilter() { avfilter_graph_free(&graph_); }

Status GifPaletteFilter::open(const std::filesystem::path& target, int width, int height, AVRational timeBase) {
  target_ = target;
  graph_ = avfilter_graph_alloc();
  const std::string args = "video_size=" + std::to_string(width) + "x" + std::to_string(height) +
                           ":pix_fmt=" + std::to_string(AV_PIX_FMT_RGBA) + ":time_base=" +
                           std::to_string(timeBase.num) + "/" + std::to_string(timeBase.den) + ":pixel_aspect=1/1";
  int code = avfilter_graph_create_filter(&source_, avfilter_get_by_name("buffer"), "in", args.c_str(), nullptr, graph_);
  if (code >= 0)
    code = avfilter_graph_create_filter(&sink_, avfilter_get_by_name("buffersink"), "out", nullptr, nullptr, graph_);
  AVFilterInOut* outputs = avfilter_inout_alloc();
  AVFilterInOut* inputs = avfilter_inout_alloc();
  if (code >= 0) {
    outputs->name = av_strdup("in");
    outputs->filter_ctx = source_;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = sink_;
    // One palette for the whole clip; sierra2_4a dithering is FFmpeg's own default for paletteuse.
    code = avfilter_graph_parse_ptr(graph_, "split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=sierra2_4a",
                                    &inputs, &outputs, nullptr);
  }
  avfilter_inout_free(&inputs);
  avfilter_inout_free(&outputs);
  if (code >= 0) code = avfilter_graph_config(graph_, nullptr);
  if (code < 0)
    return makeError(ErrorKind::FeatureUnsupported,
                     "Cannot export " + quoted(target) + ": the GIF palette filters are unavailable (" +
                         avErrorText(code) + ").", target);
  return Ok{};
}

Status GifPaletteFilter::push(AVFrame* frame) {
  if (const int code = av_buffersrc_add_frame_flags(source_, frame, AV_BUFFERSRC_FLAG_KEEP_REF); code < 0)
    return makeError(ErrorKind::Internal,
                     "Cannot export " + quoted(target_) + ": the GIF filter failed (" + avErrorText(code) + ").", target_);
  return Ok{};
}

Status GifPaletteFilter::drain(const std::function<Status(AVFrame*)>& consume) {
  while (av_buffersink_get_frame(sink_, out_.get()) >= 0) {
    auto consumed = consume(out_.get());
    av_frame_unref(out_.get());
    if (!consumed) return consumed;
  }
  return Ok{};
}

}  // namespace lanterna::assets
