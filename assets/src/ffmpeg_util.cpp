#include "ffmpeg_util.h"

#include "file_util.h"

extern "C" {
#include <libavutil/display.h>
}

#include <cmath>

namespace lanterna::assets {

std::string avErrorText(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

Result<InputPtr> openInput(const std::filesystem::path& path) {
  if (auto readable = checkReadable(path); !readable) return readable.error();
  std::error_code ec;
  if (std::filesystem::file_size(path, ec) == 0)
    return makeError(ErrorKind::Truncated, "Cannot import " + quoted(path) + ": the file is empty (0 bytes).", path);

  AVFormatContext* raw = nullptr;
  const int opened = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (opened < 0) {
    // A recognised container that still fails to open was almost always cut short (e.g. MP4 without its moov).
    AVProbeData probe{};
    std::vector<unsigned char> head(4096 + AVPROBE_PADDING_SIZE, 0);
    if (std::FILE* file = std::fopen(path.c_str(), "rb")) {
      probe.buf_size = int(std::fread(head.data(), 1, 4096, file));
      std::fclose(file);
    }
    probe.buf = head.data();
    probe.filename = "";
    int score = 0;
    const bool known = av_probe_input_format3(&probe, 1, &score) != nullptr && score >= AVPROBE_SCORE_EXTENSION;
    return makeError(known ? ErrorKind::Truncated : ErrorKind::FormatIncorrect,
                     "Cannot import " + quoted(path) + ": " +
                         (known ? "the container is damaged or cut short (" + avErrorText(opened) + ")."
                                : std::string("it is not a media file FFmpeg recognises.")),
                     path);
  }
  InputPtr input(raw);
  if (const int found = avformat_find_stream_info(input.get(), nullptr); found < 0)
    return makeError(ErrorKind::FormatIncorrect,
                     "Cannot import " + quoted(path) + ": no readable streams (" + avErrorText(found) + ").", path);
  return input;
}

Result<CodecPtr> openDecoder(const std::filesystem::path& path, AVFormatContext* input, int index) {
  const AVStream* stream = input->streams[index];
  const AVCodec* codec = avcodec_find_decoder(stream->codecpar->codec_id);
  if (!codec)
    return makeError(ErrorKind::FeatureUnsupported,
                     "Cannot import " + quoted(path) + ": no decoder for codec \"" +
                         avcodec_get_name(stream->codecpar->codec_id) + "\".", path);
  CodecPtr context(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(context.get(), stream->codecpar);
  context->pkt_timebase = stream->time_base;
  context->thread_count = 0;  // FFmpeg picks
  if (const int opened = avcodec_open2(context.get(), codec, nullptr); opened < 0)
    return makeError(ErrorKind::FeatureUnsupported,
                     "Cannot import " + quoted(path) + ": the " + codec->name + " decoder refused the stream (" +
                         avErrorText(opened) + ").", path);
  return context;
}

int streamRotation(const AVStream* stream) {
  const auto* matrix = reinterpret_cast<const int32_t*>(
      av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nullptr));
  if (!matrix) return 0;
  // av_display_rotation_get is counter-clockwise; players rotate the other way to display.
  const double degrees = -av_display_rotation_get(matrix);
  if (std::isnan(degrees)) return 0;
  int clockwise = int(std::lround(degrees / 90.0)) * 90 % 360;
  return clockwise < 0 ? clockwise + 360 : clockwise;
}

}  // namespace lanterna::assets
