// RAII owners for FFmpeg objects and the one place where FFmpeg error codes become lanterna Errors.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "lanterna/result.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
}

namespace lanterna::assets {

struct InputCloser { void operator()(AVFormatContext* c) const { avformat_close_input(&c); } };
struct CodecCloser { void operator()(AVCodecContext* c) const { avcodec_free_context(&c); } };
struct FrameFreer { void operator()(AVFrame* f) const { av_frame_free(&f); } };
struct PacketFreer { void operator()(AVPacket* p) const { av_packet_free(&p); } };
using InputPtr = std::unique_ptr<AVFormatContext, InputCloser>;
using CodecPtr = std::unique_ptr<AVCodecContext, CodecCloser>;
using AvFramePtr = std::unique_ptr<AVFrame, FrameFreer>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFreer>;

std::string avErrorText(int code);

// Opens and probes a media file; errors name the file and sort cut-short known containers (Truncated) from
// files that are not media at all (FormatIncorrect).
Result<InputPtr> openInput(const std::filesystem::path& path);

// A decoder for stream `index`, threads on. FeatureUnsupported when FFmpeg has no decoder for it.
Result<CodecPtr> openDecoder(const std::filesystem::path& path, AVFormatContext* input, int index);

// Clockwise degrees (0/90/180/270) from the stream's display matrix.
int streamRotation(const AVStream* stream);

}  // namespace lanterna::assets
