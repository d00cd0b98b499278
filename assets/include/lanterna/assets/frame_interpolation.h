// Makes the picture between two frames of a clip by motion-compensated interpolation (optical flow), so a slow
// generation (8 fps) plays smoothly at the project rate (24 fps) instead of stuttering by repetition. Usage:
//   Frame middle = interpolateFrames(frame3, frame4, 0.5);   // what the camera saw halfway between them
// Dense flow (OpenCV DIS) both ways; each frame is warped to time t and the two are blended. Pixels whose flow
// fails the forward/backward check come from the other frame's warp, or from a plain cross-blend when neither has
// them. Pure function of its inputs; safe to call from several threads at once.
#pragma once

#include "lanterna/assets/frame.h"

namespace lanterna::assets {

// `a` at t = 0, `b` at t = 1; t is clamped to [0, 1]. Rgba8 output of a's size. Frames of different sizes or
// formats other than Rgba8 are converted/cross-blended rather than refused (the caller is mid-playback).
Frame interpolateFrames(const Frame& a, const Frame& b, double t);

// (1 - t) * a + t * b per channel, for comparison and as the fallback. Same size rules as above.
Frame crossBlendFrames(const Frame& a, const Frame& b, double t);

}  // namespace lanterna::assets
