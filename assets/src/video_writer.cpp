// VideoWriter: validate, open the encoder and muxer on a temp file, encode frame by frame (audio keeps pace),
// then trailer + rename. GIF goes through the palette filter; PNG sequences reuse saveImage in a temp folder.
#include "lanterna/assets/video_writer.h"

#include "audio_track_encoder.h"
#include "export_temporary.h"
#include "ffmpeg_util.h"
#include "file_util.h"
#include "gif_palette_filter.h"
#include "lanterna/assets/image_io.h"

extern "C" {
#include <libswscale/swscale.h>
}

#include <cerrno>
#include <cstdio>
#include <cstring>

#ifndef LANTERNA_ASSETS_VERSION
#define LANTERNA_ASSETS_VERSION "dev"
#endif

namespace lanterna::assets {
namespace {

struct FormatSpec {
  const char* muxer;
  const char* videoEncoder;
  AVPixelFormat pixelFormat;
  const char* audioEncoder;
};

FormatSpec specFor(ExportFormat format) {
  switch (format) {
    case ExportFormat::Mp4H264: return {"mp4", "libx264", AV_PIX_FMT_YUV420P, "aac"};
    case ExportFormat::Mp4Hevc: return {"mp4", "libx265", AV_PIX_FMT_YUV420P, "aac"};
    case ExportFormat::MovProRes: return {"mov", "prores_ks", AV_PIX_FMT_YUV422P10LE, "aac"};
    case ExportFormat::WebmVp9: return {"webm", "libvpx-vp9", AV_PIX_FMT_YUV420P, "libopus"};
    case ExportFormat::Gif: return {"gif", "gif", AV_PIX_FMT_PAL8, nullptr};
    case ExportFormat::PngSequence: return {nullptr, nullptr, AV_PIX_FMT_RGBA, nullptr};
    case ExportFormat::Unset: break;
  }
  return {nullptr, nullptr, AV_PIX_FMT_NONE, nullptr};
}

ErrorKind writeErrorKind(int code) { return code == AVERROR(ENOSPC) ? ErrorKind::DiskFull : ErrorKind::NoWriteAccess; }

Status validate(const std::filesystem::path& path, const ExportSettings& s) {
  auto refuse = [&](const std::string& why) {
    return makeError(ErrorKind::InvalidArgument, "Cannot export " + quoted(path) + ": " + why, path);
  };
  if (s.format == ExportFormat::Unset) return refuse("no export format was chosen.");
  if (s.width <= 0 || s.height <= 0 || s.width > 16384 || s.height > 16384)
    return refuse("the size " + std::to_string(s.width) + "x" + std::to_string(s.height) + " is outside 1..16384.");
  const bool palette = s.format == ExportFormat::Gif || s.format == ExportFormat::PngSequence;
  if (!palette && (s.width % 2 || s.height % 2))
    return refuse(std::string(exportFormatName(s.format)) + " needs an even width and height, not " +
                  std::to_string(s.width) + "x" + std::to_string(s.height) + ".");
  if (!s.frameRate.valid()) return refuse("the frame rate is not set.");
  if (s.quality < 0 || s.quality > 51) return refuse("quality must be 0 (best) to 51.");
  if (s.audio && palette)
    return makeError(ErrorKind::FeatureUnsupported,
                     "Cannot export " + quoted(path) + ": " + exportFormatName(s.format) + " cannot carry audio.", path);
  return Ok{};
}

}  // namespace

const char* exportFormatName(ExportFormat format) {
  switch (format) {
    case ExportFormat::Mp4H264: return "MP4 (H.264)";
    case ExportFormat::Mp4Hevc: return "MP4 (HEVC)";
    case ExportFormat::MovProRes: return "MOV (ProRes)";
    case ExportFormat::WebmVp9: return "WebM (VP9)";
    case ExportFormat::Gif: return "GIF";
    case ExportFormat::PngSequence: return "PNG sequence";
    case ExportFormat::Unset: break;
  }
  return "unset";
}

struct VideoWriter::Impl {
  std::filesystem::path target;
  std::filesystem::path temporary;  // set once claimed: abort() must never remove another export's
  ExportTemporary claimed;
  ExportSettings settings;
  FormatSpec spec;
  std::int64_t frames = 0;
  bool closed = false;
  AVFormatContext* output = nullptr;
  CodecPtr video;
  AVStream* videoStream = nullptr;
  SwsContext* sws = nullptr;
  AvFramePtr picture{av_frame_alloc()};
  PacketPtr packet{av_packet_alloc()};
  AudioTrackEncoder audio;
  std::unique_ptr<GifPaletteFilter> gif;

  ~Impl() { abort(); }

  void release() {
    if (output) {
      if (output->pb) avio_closep(&output->pb);
      avformat_free_context(output);
      output = nullptr;
    }
    sws_freeContext(sws);
    sws = nullptr;
  }

  void abort() {
    if (closed) return;
    closed = true;
    release();
    std::error_code ec;
    if (!temporary.empty()) std::filesystem::remove_all(temporary, ec);
    claimed.unlock();
  }

  Error fail(ErrorKind kind, const std::string& why) {
    abort();
    return makeError(kind, "Cannot export " + quoted(target) + ": " + why + " Nothing was written.", target);
  }

  Status writePacket(AVPacket* pkt, AVStream* stream, AVCodecContext* codec) {
    av_packet_rescale_ts(pkt, codec->time_base, stream->time_base);
    pkt->stream_index = stream->index;
    if (const int code = av_interleaved_write_frame(output, pkt); code < 0)
      return fail(writeErrorKind(code), "writing failed (" + avErrorText(code) + ").");
    return Ok{};
  }

  Status encode(const AVFrame* frame) {
    if (const int code = avcodec_send_frame(video.get(), frame); code < 0 && code != AVERROR_EOF)
      return fail(ErrorKind::Internal, "the encoder failed (" + avErrorText(code) + ").");
    while (avcodec_receive_packet(video.get(), packet.get()) == 0)
      if (auto written = writePacket(packet.get(), videoStream, video.get()); !written) return written;
    return Ok{};
  }

  AudioTrackEncoder::PacketSink audioSink() {
    return [this](AVPacket* p, AVStream* s, AVCodecContext* c) { return writePacket(p, s, c); };
  }

  Status openContainer();
};

Status VideoWriter::Impl::openContainer() {
  // 1. Muxer and video encoder.
  avformat_alloc_output_context2(&output, nullptr, spec.muxer, temporary.c_str());
  const AVCodec* codec = avcodec_find_encoder_by_name(spec.videoEncoder);
  if (!output || !codec)
    return fail(ErrorKind::FeatureUnsupported, std::string("this FFmpeg lacks the ") + spec.videoEncoder + " encoder.");
  video.reset(avcodec_alloc_context3(codec));
  video->width = settings.width;
  video->height = settings.height;
  video->time_base = AVRational{settings.frameRate.den, settings.frameRate.num};
  video->framerate = AVRational{settings.frameRate.num, settings.frameRate.den};
  video->pix_fmt = spec.pixelFormat;
  video->thread_count = 0;
  if (spec.pixelFormat != AV_PIX_FMT_PAL8) {
    video->colorspace = AVCOL_SPC_BT709;
    video->color_primaries = AVCOL_PRI_BT709;
    video->color_trc = AVCOL_TRC_BT709;
    video->color_range = AVCOL_RANGE_MPEG;
  }
  if (output->oformat->flags & AVFMT_GLOBALHEADER) video->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  const bool fast = settings.speed == EncoderSpeed::Fast;
  AVDictionary* options = nullptr;
  const std::string crf = std::to_string(settings.quality);
  switch (settings.format) {
    case ExportFormat::Mp4H264:
    case ExportFormat::Mp4Hevc:
      av_dict_set(&options, "crf", crf.c_str(), 0);
      av_dict_set(&options, "preset", fast ? "veryfast" : "medium", 0);
      if (settings.format == ExportFormat::Mp4Hevc) av_dict_set(&options, "x265-params", "log-level=error", 0);
      break;
    case ExportFormat::WebmVp9:
      av_dict_set(&options, "crf", std::to_string(settings.quality * 63 / 51).c_str(), 0);
      av_dict_set(&options, "b", "0", 0);
      av_dict_set(&options, "row-mt", "1", 0);
      av_dict_set(&options, "cpu-used", fast ? "8" : "4", 0);
      av_dict_set(&options, "deadline", fast ? "realtime" : "good", 0);
      break;
    case ExportFormat::MovProRes:
      av_dict_set(&options, "profile", settings.quality <= 18 ? "3" : "2", 0);  // HQ for high quality, else 422
      break;
    default: break;
  }
  const int opened = avcodec_open2(video.get(), codec, &options);
  av_dict_free(&options);
  if (opened < 0)
    return fail(ErrorKind::FeatureUnsupported,
                std::string("the ") + spec.videoEncoder + " encoder refused the settings (" + avErrorText(opened) + ").");
  videoStream = avformat_new_stream(output, nullptr);
  videoStream->time_base = video->time_base;
  videoStream->avg_frame_rate = video->framerate;
  avcodec_parameters_from_context(videoStream->codecpar, video.get());
  if (settings.format == ExportFormat::Mp4Hevc) videoStream->codecpar->codec_tag = MKTAG('h', 'v', 'c', '1');

  // 2. Audio, metadata, file.
  if (settings.audio)
    if (auto added = audio.open(target, output, spec.audioEncoder, *settings.audio); !added) {
      abort();
      return added;
    }
  for (const auto& [key, value] : settings.metadata) av_dict_set(&output->metadata, key.c_str(), value.c_str(), 0);
  av_dict_set(&output->metadata, "lanterna_version", "Lanterna " LANTERNA_ASSETS_VERSION, 0);
  if (const int code = avio_open(&output->pb, temporary.c_str(), AVIO_FLAG_WRITE); code < 0)
    return fail(writeErrorKind(code), "the folder is not writable (" + avErrorText(code) + ").");
  AVDictionary* muxOptions = nullptr;
  // Custom keys survive in MP4/MOV only as mdta tags; faststart puts the index first for players and the web.
  if (settings.format != ExportFormat::WebmVp9 && settings.format != ExportFormat::Gif)
    av_dict_set(&muxOptions, "movflags", "+use_metadata_tags+faststart+write_colr", 0);
  const int header = avformat_write_header(output, &muxOptions);
  av_dict_free(&muxOptions);
  if (header < 0) return fail(writeErrorKind(header), "the container header failed (" + avErrorText(header) + ").");

  // 3. Pixel conversion (BT.709 limited range, matching the stream tags) or the GIF palette filter.
  if (settings.format == ExportFormat::Gif) {
    gif = std::make_unique<GifPaletteFilter>();
    if (auto ready = gif->open(target, settings.width, settings.height, video->time_base); !ready) {
      abort();
      return ready;
    }
  } else {
    sws = sws_getContext(settings.width, settings.height, AV_PIX_FMT_RGBA, settings.width, settings.height,
                         spec.pixelFormat, SWS_BICUBIC, nullptr, nullptr, nullptr);
    const int* coefficients = sws_getCoefficients(SWS_CS_ITU709);
    sws_setColorspaceDetails(sws, coefficients, 1, coefficients, 0, 0, 1 << 16, 1 << 16);
    picture->format = spec.pixelFormat;
    picture->width = settings.width;
    picture->height = settings.height;
    // Some encoders (prores_ks) take the colour tags from each frame, not from the context.
    picture->colorspace = video->colorspace;
    picture->color_primaries = video->color_primaries;
    picture->color_trc = video->color_trc;
    picture->color_range = video->color_range;
    if (av_frame_get_buffer(picture.get(), 0) < 0) return fail(ErrorKind::OutOfMemory, "out of memory.");
  }
  return Ok{};
}

VideoWriter::VideoWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoWriter::VideoWriter(VideoWriter&&) noexcept = default;
VideoWriter& VideoWriter::operator=(VideoWriter&&) noexcept = default;
VideoWriter::~VideoWriter() = default;

Result<VideoWriter> VideoWriter::open(const std::filesystem::path& path, const ExportSettings& settings) {
  if (auto valid = validate(path, settings); !valid) return valid.error();
  auto impl = std::make_unique<Impl>();
  impl->target = path;
  impl->settings = settings;
  impl->spec = specFor(settings.format);
  const bool folder = settings.format == ExportFormat::PngSequence;
  std::error_code ec;
  if (folder && std::filesystem::exists(path) && !std::filesystem::is_empty(path, ec))
    return makeError(ErrorKind::InvalidArgument,
                     "Cannot export " + quoted(path) + ": the folder exists and is not empty.", path);
  auto claimed = ExportTemporary::claim(path, folder);
  if (!claimed) return claimed.error();
  impl->claimed = std::move(*claimed);
  impl->temporary = impl->claimed.path();
  if (folder) return VideoWriter(std::move(impl));
  if (auto opened = impl->openContainer(); !opened) return opened.error();
  return VideoWriter(std::move(impl));
}

std::int64_t VideoWriter::framesWritten() const { return impl_->frames; }
void VideoWriter::abort() { if (impl_) impl_->abort(); }

Status VideoWriter::writeFrame(const Frame& input) {
  Impl& d = *impl_;
  if (d.closed)
    return makeError(ErrorKind::InvalidArgument, "Cannot export " + quoted(d.target) + ": the writer is closed.",
                     d.target);
  if (input.width != d.settings.width || input.height != d.settings.height)
    return d.fail(ErrorKind::InvalidArgument, "frame " + std::to_string(d.frames) + " is " +
                                                  std::to_string(input.width) + "x" + std::to_string(input.height) +
                                                  ", the export is " + std::to_string(d.settings.width) + "x" +
                                                  std::to_string(d.settings.height) + ".");
  const Frame frame = convertFrame(input, PixelFormat::Rgba8);
  const std::int64_t index = d.frames++;

  if (d.settings.format == ExportFormat::PngSequence) {
    char name[32];
    std::snprintf(name, sizeof name, "frame_%06lld.png", static_cast<long long>(index));
    if (auto saved = saveImage(frame, d.temporary / name, d.settings.metadata); !saved)
      return d.fail(saved.error().kind, saved.error().message);
    return Ok{};
  }
  if (d.gif) {
    AvFramePtr rgba(av_frame_alloc());
    rgba->format = AV_PIX_FMT_RGBA;
    rgba->width = frame.width;
    rgba->height = frame.height;
    if (av_frame_get_buffer(rgba.get(), 0) < 0) return d.fail(ErrorKind::OutOfMemory, "out of memory.");
    for (int y = 0; y < frame.height; ++y)
      std::memcpy(rgba->data[0] + std::size_t(y) * rgba->linesize[0], frame.row<std::uint8_t>(y), frame.strideBytes);
    rgba->pts = index;
    if (auto pushed = d.gif->push(rgba.get()); !pushed) return d.fail(pushed.error().kind, pushed.error().message);
    return d.gif->drain([&](AVFrame* f) { return d.encode(f); });
  }
  if (av_frame_make_writable(d.picture.get()) < 0) return d.fail(ErrorKind::OutOfMemory, "out of memory.");
  const std::uint8_t* src[4] = {frame.data.data(), nullptr, nullptr, nullptr};
  const int srcStride[4] = {int(frame.strideBytes), 0, 0, 0};
  sws_scale(d.sws, src, srcStride, 0, frame.height, d.picture->data, d.picture->linesize);
  d.picture->pts = index;
  if (auto encoded = d.encode(d.picture.get()); !encoded) return encoded;
  return d.audio.encodeUntil(double(index + 1) / d.settings.frameRate.value(), d.audioSink());
}

Status VideoWriter::finish() {
  Impl& d = *impl_;
  if (d.closed)
    return makeError(ErrorKind::InvalidArgument, "Cannot export " + quoted(d.target) + ": the writer is closed.",
                     d.target);
  if (d.frames == 0) return d.fail(ErrorKind::InvalidArgument, "no frames were written.");
  if (d.settings.format != ExportFormat::PngSequence) {
    if (d.gif) {
      if (auto pushed = d.gif->push(nullptr); !pushed) return d.fail(pushed.error().kind, pushed.error().message);
      if (auto drained = d.gif->drain([&](AVFrame* f) { return d.encode(f); }); !drained) return drained;
    }
    if (auto flushed = d.encode(nullptr); !flushed) return flushed;
    const double end = double(d.frames) / d.settings.frameRate.value();
    if (auto audio = d.audio.flush(end, d.audioSink()); !audio) return d.fail(audio.error().kind, audio.error().message);
    if (const int code = av_write_trailer(d.output); code < 0)
      return d.fail(writeErrorKind(code), "finishing the file failed (" + avErrorText(code) + ").");
    if (const int code = avio_closep(&d.output->pb); code < 0)
      return d.fail(writeErrorKind(code), "closing the file failed (" + avErrorText(code) + ").");
    d.release();
  }
  d.closed = true;
  if (d.settings.format == ExportFormat::PngSequence) {
    std::error_code ec;
    std::filesystem::remove(d.target, ec);  // an empty folder left by the user; non-empty ones were refused
  }
  Status committed = commitTemporary(d.temporary, d.target);
  d.claimed.unlock();
  return committed;
}

Status exportVideo(const std::filesystem::path& path, const ExportSettings& settings, std::int64_t frameCount,
                   const FrameSource& source, const ExportProgress& progress, const std::atomic<bool>* cancel) {
  auto writer = VideoWriter::open(path, settings);
  if (!writer) return writer.error();
  for (std::int64_t i = 0; i < frameCount; ++i) {
    if (cancel && cancel->load()) {
      writer->abort();
      return makeError(ErrorKind::Cancelled, "Export of " + quoted(path) + " was cancelled.", path);
    }
    auto frame = source(i);
    if (!frame) {
      writer->abort();
      return frame.error();
    }
    if (auto written = writer->writeFrame(*frame); !written) return written;
    if (progress) progress(i + 1, frameCount);
  }
  return writer->finish();
}

}  // namespace lanterna::assets
