#include "audio_track_encoder.h"

#include "file_util.h"

extern "C" {
#include <libswresample/swresample.h>
}

#include <algorithm>
#include <cmath>

namespace lanterna::assets {

AudioTrackEncoder::~AudioTrackEncoder() { swr_free(&swr_); }

Status AudioTrackEncoder::open(const std::filesystem::path& target, AVFormatContext* output, const char* encoderName,
                               const AudioBuffer& audio) {
  target_ = target;
  audio_ = &audio;
  if (audio.channels != 2 || audio.sampleRate != 48000)
    return makeError(ErrorKind::InvalidArgument,
                     "Cannot export " + quoted(target) + ": the audio track must be 48 kHz stereo (decodeAudio's "
                     "default output).", target);
  const AVCodec* codec = avcodec_find_encoder_by_name(encoderName);
  if (!codec)
    return makeError(ErrorKind::FeatureUnsupported,
                     "Cannot export " + quoted(target) + ": this FFmpeg has no " + encoderName + " encoder.", target);
  codec_.reset(avcodec_alloc_context3(codec));
  codec_->sample_rate = 48000;
  av_channel_layout_default(&codec_->ch_layout, 2);
  codec_->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
  for (const AVSampleFormat* f = codec->sample_fmts; f && *f != AV_SAMPLE_FMT_NONE; ++f)
    if (*f == AV_SAMPLE_FMT_FLTP || *f == AV_SAMPLE_FMT_FLT) { codec_->sample_fmt = *f; break; }
  codec_->bit_rate = 192000;
  codec_->time_base = AVRational{1, 48000};
  if (output->oformat->flags & AVFMT_GLOBALHEADER) codec_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (const int opened = avcodec_open2(codec_.get(), codec, nullptr); opened < 0)
    return makeError(ErrorKind::FeatureUnsupported,
                     "Cannot export " + quoted(target) + ": the " + encoderName + " encoder refused the settings (" +
                         avErrorText(opened) + ").", target);
  stream_ = avformat_new_stream(output, nullptr);
  stream_->time_base = codec_->time_base;
  avcodec_parameters_from_context(stream_->codecpar, codec_.get());

  swr_alloc_set_opts2(&swr_, &codec_->ch_layout, codec_->sample_fmt, 48000, &codec_->ch_layout, AV_SAMPLE_FMT_FLT,
                      48000, 0, nullptr);
  if (!swr_ || swr_init(swr_) < 0)
    return makeError(ErrorKind::Internal, "Cannot export " + quoted(target) + ": audio conversion failed.", target);
  frame_.reset(av_frame_alloc());
  packet_.reset(av_packet_alloc());
  return Ok{};
}

Status AudioTrackEncoder::encodeUntil(double untilSeconds, const PacketSink& sink) {
  if (!codec_) return Ok{};
  const std::int64_t limit = std::min<std::int64_t>(audio_->frameCount(), std::llround(untilSeconds * 48000));
  const int frameSize = codec_->frame_size > 0 ? codec_->frame_size : 1024;
  // Whole encoder frames only, except for the very end of the track.
  while (samplesDone_ < limit && (limit - samplesDone_ >= frameSize || limit == audio_->frameCount())) {
    const int count = int(std::min<std::int64_t>(frameSize, limit - samplesDone_));
    av_frame_unref(frame_.get());
    frame_->nb_samples = count;
    frame_->format = codec_->sample_fmt;
    av_channel_layout_copy(&frame_->ch_layout, &codec_->ch_layout);
    frame_->sample_rate = 48000;
    if (av_frame_get_buffer(frame_.get(), 0) < 0)
      return makeError(ErrorKind::OutOfMemory, "Cannot export " + quoted(target_) + ": out of memory.", target_);
    const auto* in = reinterpret_cast<const std::uint8_t*>(audio_->samples.data() + samplesDone_ * 2);
    swr_convert(swr_, frame_->data, count, &in, count);
    frame_->pts = samplesDone_;
    samplesDone_ += count;
    if (auto sent = sendFrame(frame_.get(), sink); !sent) return sent;
  }
  return Ok{};
}

Status AudioTrackEncoder::flush(double endSeconds, const PacketSink& sink) {
  if (!codec_) return Ok{};
  if (auto rest = encodeUntil(endSeconds, sink); !rest) return rest;
  return sendFrame(nullptr, sink);
}

Status AudioTrackEncoder::sendFrame(const AVFrame* frame, const PacketSink& sink) {
  if (const int sent = avcodec_send_frame(codec_.get(), frame); sent < 0 && sent != AVERROR_EOF)
    return makeError(ErrorKind::Internal,
                     "Cannot export " + quoted(target_) + ": audio encoding failed (" + avErrorText(sent) + ").",
                     target_);
  while (avcodec_receive_packet(codec_.get(), packet_.get()) == 0)
    if (auto written = sink(packet_.get(), stream_, codec_.get()); !written) return written;
  return Ok{};
}

}  // namespace lanterna::assets
