#include "lanterna/assets/audio_decoder.h"

#include "ffmpeg_util.h"
#include "file_util.h"

extern "C" {
#include <libswresample/swresample.h>
}

#include <algorithm>

namespace lanterna::assets {
namespace {

struct SwrFreer { void operator()(SwrContext* s) const { swr_free(&s); } };

}  // namespace

Result<AudioBuffer> decodeAudio(const std::filesystem::path& path, const AudioDecodeOptions& options) {
  if (options.channels < 1 || options.channels > 2 || options.sampleRate < 8000)
    return makeError(ErrorKind::InvalidArgument,
                     "Cannot decode audio of " + quoted(path) + ": output must be mono or stereo at >= 8 kHz.", path);
  auto input = openInput(path);
  if (!input) return input.error();
  AVFormatContext* ic = input->get();
  const int index = av_find_best_stream(ic, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (index < 0)
    return makeError(ErrorKind::FeatureUnsupported, "Cannot import " + quoted(path) + ": it has no audio stream.", path);
  auto codec = openDecoder(path, ic, index);
  if (!codec) return codec.error();
  AVCodecContext* dec = codec->get();

  // 1. Resampler: whatever the source holds -> interleaved float at the requested rate and layout.
  AVChannelLayout outLayout;
  av_channel_layout_default(&outLayout, options.channels);
  AVChannelLayout inLayout;
  if (dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) av_channel_layout_default(&inLayout, dec->ch_layout.nb_channels);
  else av_channel_layout_copy(&inLayout, &dec->ch_layout);
  SwrContext* rawSwr = nullptr;
  swr_alloc_set_opts2(&rawSwr, &outLayout, AV_SAMPLE_FMT_FLT, options.sampleRate, &inLayout, dec->sample_fmt,
                      dec->sample_rate, 0, nullptr);
  std::unique_ptr<SwrContext, SwrFreer> swr(rawSwr);
  // Mono goes to both speakers at full level (swresample's default pans it at -3 dB per side).
  if (swr && inLayout.nb_channels == 1 && options.channels == 2) {
    const double duplicate[2] = {1.0, 1.0};
    swr_set_matrix(swr.get(), duplicate, 1);
  }
  av_channel_layout_uninit(&inLayout);
  if (!swr || swr_init(swr.get()) < 0)
    return makeError(ErrorKind::FeatureUnsupported,
                     "Cannot import " + quoted(path) + ": its audio layout cannot be converted to " +
                         (options.channels == 2 ? "stereo." : "mono."), path);

  AudioBuffer out;
  out.sampleRate = options.sampleRate;
  out.channels = options.channels;
  auto append = [&](const AVFrame* frame) {
    const int room = swr_get_out_samples(swr.get(), frame ? frame->nb_samples : 0);
    if (room <= 0) return;
    const std::size_t at = out.samples.size();
    out.samples.resize(at + std::size_t(room) * options.channels);
    std::uint8_t* dst = reinterpret_cast<std::uint8_t*>(out.samples.data() + at);
    const int got = swr_convert(swr.get(), &dst, room, frame ? const_cast<const std::uint8_t**>(frame->extended_data)
                                                             : nullptr, frame ? frame->nb_samples : 0);
    out.samples.resize(at + std::size_t(std::max(got, 0)) * options.channels);
  };

  // 2. Decode every packet of the stream, then drain decoder and resampler.
  PacketPtr packet(av_packet_alloc());
  AvFramePtr frame(av_frame_alloc());
  int decodeErrors = 0;
  auto receiveAll = [&] {
    while (avcodec_receive_frame(dec, frame.get()) == 0) append(frame.get());
  };
  while (av_read_frame(ic, packet.get()) >= 0) {
    if (packet->stream_index == index && avcodec_send_packet(dec, packet.get()) < 0) ++decodeErrors;
    av_packet_unref(packet.get());
    receiveAll();
  }
  avcodec_send_packet(dec, nullptr);
  receiveAll();
  append(nullptr);
  if (out.samples.empty())
    return makeError(decodeErrors ? ErrorKind::FormatIncorrect : ErrorKind::Truncated,
                     "Cannot import " + quoted(path) + ": the audio stream holds no decodable samples.", path);
  return out;
}

std::vector<WaveformBucket> summarizeWaveform(const AudioBuffer& audio, int bucketCount) {
  std::vector<WaveformBucket> buckets;
  const std::int64_t frames = audio.frameCount();
  if (bucketCount <= 0 || frames == 0) return buckets;
  buckets.resize(std::size_t(bucketCount));
  for (int b = 0; b < bucketCount; ++b) {
    const std::int64_t begin = frames * b / bucketCount;
    const std::int64_t end = std::max(begin + 1, frames * (b + 1) / bucketCount);
    auto first = audio.samples.begin() + begin * audio.channels;
    auto last = audio.samples.begin() + std::min(end, frames) * audio.channels;
    const auto [lo, hi] = std::minmax_element(first, last);
    buckets[std::size_t(b)] = {*lo, *hi};
  }
  return buckets;
}

}  // namespace lanterna::assets
