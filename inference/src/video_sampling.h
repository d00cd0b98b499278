// Small pieces of the video pipelines, kept apart so they can be checked on their own:
//   AnimateDiff sliding context windows (16 frames, overlapping, blended), SVD's added time ids and per-frame
//   guidance ramp, and a peak-memory estimate for an SVD run (to refuse runs that cannot fit, before loading).
//   for (const auto& w : contextWindows(48, 16, 4)) { ... latents.slice(2, w.start, w.start + w.length) ... }
// Internal to inference/. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <ATen/ATen.h>

#include "svd_unet.h"

namespace lanterna::inference {

struct FrameWindow {
  int64_t start = 0;
  int64_t length = 0;
};

// Windows of `window` frames stepping by window - overlap, the last one aligned to the end; one window when the
// clip is short. Every frame is covered; consecutive windows share at least `overlap` frames.
std::vector<FrameWindow> contextWindows(int64_t frames, int64_t window = 16, int64_t overlap = 4);

// Per-frame blend weights (length) of a window: a linear ramp up over the first `overlap` frames and down over the
// last, never zero, so the weighted sum over windows divided by the summed weights cross-fades the overlaps.
at::Tensor windowBlendWeights(const FrameWindow& window, int64_t frames, int64_t overlap);

// SVD conditions on fps - 1 (fps 7 -> 6); shape (batch, 3).
at::Tensor svdAddedTimeIds(double fps, double motionBucketId, double noiseAugStrength, int64_t batch);

// Classifier-free guidance from minScale on the first frame to maxScale on the last: shape (1, frames, 1, 1, 1).
at::Tensor guidanceRamp(double minScale, double maxScale, int64_t frames);

struct SvdRunShape {
  int64_t width = 1024;
  int64_t height = 576;
  int64_t frames = 14;
  int64_t decodeChunkFrames = 7;
  int64_t bytesPerElement = 2;  // fp16
  bool guidance = true;         // CFG doubles the UNet batch
};

// Rough peak bytes of an SVD run: weights + the largest UNet activation set (attention scores included) or the
// temporal decoder's largest chunk, whichever is higher. Meant to be within ~2x; it errs high.
int64_t estimateSvdPeakMemoryBytes(const SvdUNetConfig& unet, int64_t weightBytes, const SvdRunShape& run);

// Smaller runs that fit in budgetBytes: the most frames at the same size, and the largest size (multiples of 64,
// aspect about kept) at the same frames. Either is nullopt when none fits.
struct SvdFit {
  std::optional<SvdRunShape> fewerFrames;
  std::optional<SvdRunShape> smallerSize;
};
SvdFit smallerSvdRuns(const SvdUNetConfig& unet, int64_t weightBytes, const SvdRunShape& run, int64_t budgetBytes);

}  // namespace lanterna::inference
