// Makes the picture between two frames of a clip by motion-compensated interpolation (optical flow), so a slow
// generation (8 fps) plays smoothly at the project rate (24 fps) instead of stuttering by repetition. Usage:
//   Frame middle = interpolateFrames(frame3, frame4, 0.5);   // what the camera saw halfway between them
// Dense flow (OpenCV DIS) both ways; each frame is warped to time t and the two are blended. Pixels whose flow
// fails the forward/backward check come from the other frame's warp, or from a plain cross-blend when neither has
// them. interpolateFrames() is a pure function, safe from several threads at once.
#pragma once

#include <memory>

#include "lanterna/assets/frame.h"

namespace lanterna::assets {

// `a` at t = 0, `b` at t = 1; t is clamped to [0, 1]. Rgba8 output of a's size. Frames of different sizes or
// formats other than Rgba8 are converted/cross-blended rather than refused (the caller is mid-playback).
Frame interpolateFrames(const Frame& a, const Frame& b, double t);

// The same, keeping the flows of the last pair: an 8 fps clip at 24 fps asks for t = 1/3 and 2/3 between the
// same two frames, and the flow is most of the cost. One per thread (the renderer keeps one).
class FrameInterpolator {
 public:
  FrameInterpolator();
  FrameInterpolator(FrameInterpolator&&) noexcept;
  FrameInterpolator& operator=(FrameInterpolator&&) noexcept;
  ~FrameInterpolator();

  Frame interpolate(const Frame& a, const Frame& b, double t);
  bool reusedFlow() const;  // whether the last interpolate() reused the previous pair's flows

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// (1 - t) * a + t * b per channel, for comparison and as the fallback. Same size rules as above.
Frame crossBlendFrames(const Frame& a, const Frame& b, double t);

}  // namespace lanterna::assets
