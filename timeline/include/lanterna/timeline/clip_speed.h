// Clip speed: how item frames map to source frames when a clip is retimed. Usage:
//   auto speed = parseSpeed("50%");                          // std::optional<Rational>: 1/2
//   SourcePosition at = sourcePositionAt(video, FrameTime{7});   // (inPoint + 7) x speed, in project-rate frames
//   FrameTime room = retimedLength(video.sourceDuration, video.speed);   // item frames the media can fill
// Plain functions of values; no threading concerns of their own.
#pragma once

#include <optional>
#include <string>

#include "lanterna/timeline/document_snapshot.h"

namespace lanterna::timeline {

inline constexpr Rational kMinSpeed{1, 16};
inline constexpr Rational kMaxSpeed{16, 1};

// A source time in project-rate frames, exactly: frames + num / den.
struct SourcePosition {
  std::int64_t frames = 0;   // whole frames (rounded down)
  std::int64_t fractionNum = 0;
  std::int64_t fractionDen = 1;
  double fraction() const { return double(fractionNum) / double(fractionDen); }
  double toDouble() const { return double(frames) + fraction(); }
};

SourcePosition sourcePositionAt(const VideoPayload& video, FrameTime offsetInItem);

// Frames of the retimed clip that `sourceDuration` (project-rate frames) fills at `speed`; 0 stays 0 (unknown).
FrameTime retimedLength(FrameTime sourceDuration, Rational speed);

// Why a speed cannot be used, or empty: not positive, or outside kMinSpeed..kMaxSpeed.
std::string speedProblem(Rational speed);

// "50%", "2x", "0.5", "1/3"; nullopt for anything else (or a non-positive value).
std::optional<Rational> parseSpeed(const std::string& text);
std::string speedText(Rational speed);  // "100%", "50%", "33.3%"

const char* conformModeName(ConformMode mode);  // "repeat", "interpolate" (what the store saves)
std::optional<ConformMode> parseConformMode(const std::string& name);

}  // namespace lanterna::timeline
