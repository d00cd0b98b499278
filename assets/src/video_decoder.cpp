// Seek-and-scan decoding: seek to the keyframe before the target time, decode forward keeping the latest frame whose
// timestamp is <= the target. Sequential calls reuse the decoder state, so playing forward never re-seeks.
#include "lanterna/assets/video_decoder.h"

#include "ffmpeg_util.h"
#include "file_util.h"

#include <opencv2/core.hpp>

extern "C" {
#include <libswscale/swscale.h>
}

#include <cmath>
#include <cstring>

namespace lanterna::assets {

struct VideoDecoder::Impl {
  std::filesystem::path path;
  InputPtr input;
  CodecPtr codec;
  AVStream* avStream = nullptr;
  StreamInfo info;
  Rational rate;
  std::int64_t frames = 0;
  std::int64_t startPts = 0;
  AvFramePtr current{av_frame_alloc()};  // latest decoded frame with pts <= the last target
  AvFramePtr next{av_frame_alloc()};     // one frame of look-ahead
  bool haveCurrent = false, haveNext = false, atEnd = false;
  SwsContext* sws = nullptr;
  PacketPtr packet{av_packet_alloc()};

  ~Impl() { sws_freeContext(sws); }

  std::int64_t ptsOf(const AVFrame* f) const {
    return f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
  }

  void seekTo(std::int64_t pts) {
    av_seek_frame(input.get(), avStream->index, pts, AVSEEK_FLAG_BACKWARD);
    avcodec_flush_buffers(codec.get());
    haveCurrent = haveNext = atEnd = false;
  }

  // Decodes one frame into `next`; false at the end of the stream.
  bool decodeNext() {
    while (true) {
      const int received = avcodec_receive_frame(codec.get(), next.get());
      if (received == 0) return true;
      if (received == AVERROR_EOF) return false;
      const int read = av_read_frame(input.get(), packet.get());
      if (read < 0) {
        avcodec_send_packet(codec.get(), nullptr);  // drain
        continue;
      }
      if (packet->stream_index == avStream->index) avcodec_send_packet(codec.get(), packet.get());
      av_packet_unref(packet.get());
    }
  }

  Frame convert(const AVFrame* source) {
    sws = sws_getCachedContext(sws, source->width, source->height, AVPixelFormat(source->format), source->width,
                               source->height, AV_PIX_FMT_RGBA, SWS_BICUBIC, nullptr, nullptr, nullptr);
    // Follow the stream's matrix and range tags; untagged streams keep swscale's BT.601 default.
    const int space = source->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_DEFAULT;
    sws_setColorspaceDetails(sws, sws_getCoefficients(space), source->color_range == AVCOL_RANGE_JPEG,
                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    Frame frame = Frame::allocate(source->width, source->height, PixelFormat::Rgba8);
    std::uint8_t* dst[4] = {frame.data.data(), nullptr, nullptr, nullptr};
    const int dstStride[4] = {int(frame.strideBytes), 0, 0, 0};
    sws_scale(sws, source->data, source->linesize, 0, source->height, dst, dstStride);
    if (info.rotationDegrees == 0) return frame;
    cv::Mat in(frame.height, frame.width, CV_8UC4, frame.data.data());
    cv::Mat out;
    cv::rotate(in, out, info.rotationDegrees == 90    ? cv::ROTATE_90_CLOCKWISE
                        : info.rotationDegrees == 180 ? cv::ROTATE_180
                                                      : cv::ROTATE_90_COUNTERCLOCKWISE);
    Frame rotated = Frame::allocate(out.cols, out.rows, PixelFormat::Rgba8);
    std::memcpy(rotated.data.data(), out.data, rotated.data.size());
    return rotated;
  }
};

VideoDecoder::VideoDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoDecoder::VideoDecoder(VideoDecoder&&) noexcept = default;
VideoDecoder& VideoDecoder::operator=(VideoDecoder&&) noexcept = default;
VideoDecoder::~VideoDecoder() = default;

Result<VideoDecoder> VideoDecoder::open(const std::filesystem::path& path, const VideoDecoderOptions& options) {
  auto probed = probeMedia(path);
  if (!probed) return probed.error();
  if (!probed->video())
    return makeError(ErrorKind::FeatureUnsupported, "Cannot import " + quoted(path) + ": it has no video stream.",
                     path);
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->info = *probed->video();
  auto input = openInput(path);
  if (!input) return input.error();
  impl->input = std::move(*input);
  impl->avStream = impl->input->streams[impl->info.index];
  auto codec = openDecoder(path, impl->input.get(), impl->info.index);
  if (!codec) return codec.error();
  impl->codec = std::move(*codec);

  impl->rate = options.outputRate.valid() ? options.outputRate : impl->info.frameRate;
  if (!impl->rate.valid())
    return makeError(ErrorKind::FormatIncorrect, "Cannot import " + quoted(path) + ": the video has no frame rate.",
                     path);
  impl->startPts = impl->avStream->start_time != AV_NOPTS_VALUE ? impl->avStream->start_time : 0;
  impl->frames = std::max<std::int64_t>(
      1, std::int64_t(std::ceil(impl->info.durationSeconds * impl->rate.value() - 1e-6)));
  return VideoDecoder(std::move(impl));
}

const StreamInfo& VideoDecoder::stream() const { return impl_->info; }
Rational VideoDecoder::outputRate() const { return impl_->rate; }
int VideoDecoder::width() const { return impl_->info.displayWidth(); }
int VideoDecoder::height() const { return impl_->info.displayHeight(); }
std::int64_t VideoDecoder::frameCount() const { return impl_->frames; }

Result<Frame> VideoDecoder::frameAt(std::int64_t index) {
  Impl& d = *impl_;
  if (index < 0 || index >= d.frames)
    return makeError(ErrorKind::InvalidArgument,
                     "Cannot read frame " + std::to_string(index) + " of " + quoted(d.path) + ": it has " +
                         std::to_string(d.frames) + " frames.", d.path);
  const std::int64_t target = d.startPts + av_rescale_q(index, AVRational{d.rate.den, d.rate.num}, d.avStream->time_base);

  // 1. Seek unless the target lies ahead of what we hold and within about a second of it.
  const std::int64_t second = av_rescale_q(1, AVRational{1, 1}, d.avStream->time_base);
  const bool behind = d.haveCurrent && target < d.ptsOf(d.current.get());
  const bool farAhead = d.haveCurrent && target > d.ptsOf(d.current.get()) + second;
  if (!d.haveCurrent && !d.haveNext) d.seekTo(target);
  else if (behind || farAhead) d.seekTo(target);

  // 2. Walk forward: `current` becomes the last frame shown at or before the target.
  while (true) {
    if (!d.haveNext && !d.atEnd) {
      d.haveNext = d.decodeNext();
      d.atEnd = !d.haveNext;
    }
    if (!d.haveNext || d.ptsOf(d.next.get()) > target) break;
    std::swap(d.current, d.next);
    d.haveCurrent = true;
    d.haveNext = false;
  }
  // A target before the first timestamp shows the first frame.
  if (!d.haveCurrent && d.haveNext) return d.convert(d.next.get());
  if (!d.haveCurrent)
    return makeError(ErrorKind::Truncated,
                     "Cannot read frame " + std::to_string(index) + " of " + quoted(d.path) +
                         ": the video data ends early (file cut short?).", d.path);
  // Past the last decoded frame by more than a second: the data stops before the duration the container claims.
  if (d.atEnd && target > d.ptsOf(d.current.get()) + second)
    return makeError(ErrorKind::Truncated,
                     "Cannot read frame " + std::to_string(index) + " of " + quoted(d.path) +
                         ": the video data ends before the stated duration (file cut short?).", d.path);
  return d.convert(d.current.get());
}

}  // namespace lanterna::assets
