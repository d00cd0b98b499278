#include "video_sampling.h"

#include <algorithm>

namespace lanterna::inference {

std::vector<FrameWindow> contextWindows(int64_t frames, int64_t window, int64_t overlap) {
  if (frames <= 0 || window <= 0) return {};
  if (frames <= window) return {{0, frames}};
  overlap = std::clamp<int64_t>(overlap, 0, window - 1);
  const int64_t stride = window - overlap;
  std::vector<FrameWindow> windows;
  for (int64_t start = 0;; start += stride) {
    if (start + window >= frames) {
      windows.push_back({frames - window, window});  // last window flush with the end
      break;
    }
    windows.push_back({start, window});
  }
  return windows;
}

at::Tensor windowBlendWeights(const FrameWindow& window, int64_t frames, int64_t overlap) {
  at::Tensor w = at::ones({window.length}, at::kFloat);
  const int64_t ramp = std::min(overlap, window.length / 2);
  for (int64_t i = 0; i < ramp; ++i) {
    const float value = static_cast<float>(i + 1) / static_cast<float>(ramp + 1);
    if (window.start > 0) w[i] = value;                                      // fade in unless at the clip start
    if (window.start + window.length < frames) w[window.length - 1 - i] = value;  // fade out unless at the end
  }
  return w;
}

at::Tensor svdAddedTimeIds(double fps, double motionBucketId, double noiseAugStrength, int64_t batch) {
  at::Tensor ids = at::tensor({fps - 1.0, motionBucketId, noiseAugStrength}, at::kDouble).to(at::kFloat);
  return ids.unsqueeze(0).repeat({batch, 1});
}

at::Tensor guidanceRamp(double minScale, double maxScale, int64_t frames) {
  return at::linspace(minScale, maxScale, frames, at::kFloat).view({1, frames, 1, 1, 1});
}

int64_t estimateSvdPeakMemoryBytes(const SvdUNetConfig& unet, int64_t weightBytes, const SvdRunShape& run) {
  const int64_t b = run.bytesPerElement;
  const int64_t batch = run.guidance ? 2 : 1;
  const int64_t h = run.height / 8, w = run.width / 8;
  const int64_t bf = batch * run.frames;
  // UNet: the first level holds the most pixels; skips of every level stay alive through the up path.
  int64_t skips = 0, attention = 0;
  for (size_t i = 0; i < unet.blockOutChannels.size(); ++i) {
    const int64_t pixels = (h >> i) * (w >> i);
    skips += bf * unet.blockOutChannels[i] * pixels * (unet.layersPerBlock + 1);
    if (unet.crossAttnDown[i]) attention = std::max(attention, bf * unet.heads[i] * pixels * pixels);
  }
  const int64_t ch0 = unet.blockOutChannels[0];
  const int64_t working = bf * ch0 * h * w * 8 * 4;  // GEGLU's 8C hidden plus a few live temporaries
  // Attention scores are computed in query chunks of at most kMaxAttentionScoreBytes (nn_ops.h).
  const int64_t unetPeak = (skips + working) * b + std::min(attention * b, kMaxAttentionScoreBytes);
  // Temporal decoder: full-resolution 128-channel activations of one chunk, a handful alive at once.
  const int64_t decodePeak = run.decodeChunkFrames * 128 * run.height * run.width * 6 * b;
  return weightBytes + std::max(unetPeak, decodePeak);
}

SvdFit smallerSvdRuns(const SvdUNetConfig& unet, int64_t weightBytes, const SvdRunShape& run, int64_t budgetBytes) {
  auto fits = [&](const SvdRunShape& shape) { return estimateSvdPeakMemoryBytes(unet, weightBytes, shape) <= budgetBytes; };
  SvdFit fit;
  for (int64_t frames = run.frames - 1; frames >= 1 && !fit.fewerFrames; --frames) {
    SvdRunShape shape = run;
    shape.frames = frames;
    shape.decodeChunkFrames = std::min(run.decodeChunkFrames, frames);
    if (fits(shape)) fit.fewerFrames = shape;
  }
  for (int tenths = 9; tenths >= 1 && !fit.smallerSize; --tenths) {
    SvdRunShape shape = run;
    shape.width = std::max<int64_t>(64, run.width * tenths / 10 / 64 * 64);
    shape.height = std::max<int64_t>(64, run.height * tenths / 10 / 64 * 64);
    if ((shape.width < run.width || shape.height < run.height) && fits(shape)) fit.smallerSize = shape;
  }
  return fit;
}

}  // namespace lanterna::inference
