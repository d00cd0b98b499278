#include "lanterna/assets/media_probe.h"

#include "ffmpeg_util.h"

#include <cmath>

namespace lanterna::assets {

const StreamInfo* MediaInfo::video() const {
  for (const auto& s : streams) if (s.kind == StreamKind::Video) return &s;
  return nullptr;
}

const StreamInfo* MediaInfo::audio() const {
  for (const auto& s : streams) if (s.kind == StreamKind::Audio) return &s;
  return nullptr;
}

std::string MediaInfo::tag(const std::string& key) const {
  for (const auto& [k, v] : metadata) if (k == key) return v;
  return {};
}

Result<MediaInfo> probeMedia(const std::filesystem::path& path, FrameCounting counting) {
  auto input = openInput(path);
  if (!input) return input.error();
  AVFormatContext* ic = input->get();

  MediaInfo info;
  info.container = ic->iformat->name;
  if (ic->duration != AV_NOPTS_VALUE) info.durationSeconds = double(ic->duration) / AV_TIME_BASE;
  const AVDictionaryEntry* entry = nullptr;
  while ((entry = av_dict_get(ic->metadata, "", entry, AV_DICT_IGNORE_SUFFIX)))
    info.metadata.emplace_back(entry->key, entry->value);

  for (unsigned i = 0; i < ic->nb_streams; ++i) {
    const AVStream* stream = ic->streams[i];
    const AVCodecParameters* par = stream->codecpar;
    StreamInfo s;
    s.index = int(i);
    s.codec = avcodec_get_name(par->codec_id);
    s.durationSeconds = stream->duration != AV_NOPTS_VALUE ? stream->duration * av_q2d(stream->time_base)
                                                           : info.durationSeconds;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO && !(stream->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      s.kind = StreamKind::Video;
      s.width = par->width;
      s.height = par->height;
      AVRational rate = stream->avg_frame_rate.num > 0 ? stream->avg_frame_rate : stream->r_frame_rate;
      s.frameRate = {rate.num, rate.den};
      s.rotationDegrees = streamRotation(stream);
      s.frameCountExact = stream->nb_frames > 0;
      s.frameCount = s.frameCountExact ? stream->nb_frames : std::llround(s.durationSeconds * s.frameRate.value());
    } else if (par->codec_type == AVMEDIA_TYPE_AUDIO) {
      s.kind = StreamKind::Audio;
      s.sampleRate = par->sample_rate;
      s.channels = par->ch_layout.nb_channels;
    } else {
      s.kind = StreamKind::Other;
    }
    info.streams.push_back(std::move(s));
  }
  if (!info.video() && !info.audio())
    return makeError(ErrorKind::FeatureUnsupported,
                     "Cannot import " + ("\"" + path.filename().string() + "\"") + ": it has no audio or video stream.",
                     path);

  if (counting == FrameCounting::CountPackets && info.video()) {
    StreamInfo& video = info.streams[std::size_t(info.video()->index)];
    PacketPtr packet(av_packet_alloc());
    std::int64_t count = 0;
    while (av_read_frame(ic, packet.get()) >= 0) {
      if (packet->stream_index == video.index) ++count;
      av_packet_unref(packet.get());
    }
    video.frameCount = count;
    video.frameCountExact = true;
  }
  return info;
}

}  // namespace lanterna::assets
