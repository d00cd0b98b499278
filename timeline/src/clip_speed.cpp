#include "lanterna/timeline/clip_speed.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace lanterna::timeline {

SourcePosition sourcePositionAt(const VideoPayload& video, FrameTime offsetInItem) {
  const Rational speed = video.speed.num > 0 ? video.speed : Rational{1, 1};
  const __int128 scaled = __int128(video.inPoint.frames + offsetInItem.frames) * speed.num;
  __int128 whole = scaled / speed.den, rest = scaled % speed.den;
  if (rest < 0) whole -= 1, rest += speed.den;  // round down before the clip's start too
  return SourcePosition{std::int64_t(whole), std::int64_t(rest), speed.den};
}

FrameTime retimedLength(FrameTime sourceDuration, Rational speed) {
  if (sourceDuration <= FrameTime{0} || speed.num <= 0) return sourceDuration;
  return FrameTime{std::int64_t(__int128(sourceDuration.frames) * speed.den / speed.num)};
}

std::string speedProblem(Rational speed) {
  if (speed.num <= 0 || speed.den <= 0) return "the speed must be positive";
  if (speed < kMinSpeed || speed > kMaxSpeed) return "the speed must be between 6.25% and 1600%";
  return {};
}

std::optional<Rational> parseSpeed(const std::string& text) {
  std::string body = text;
  while (!body.empty() && body.back() == ' ') body.pop_back();
  double scale = 1.0;
  if (!body.empty() && body.back() == '%') body.pop_back(), scale = 0.01;
  else if (!body.empty() && (body.back() == 'x' || body.back() == 'X')) body.pop_back();
  if (const auto slash = body.find('/'); slash != std::string::npos && scale == 1.0) {
    std::int64_t num = 0, den = 0;
    const auto a = std::from_chars(body.data(), body.data() + slash, num);
    const auto b = std::from_chars(body.data() + slash + 1, body.data() + body.size(), den);
    if (a.ec != std::errc{} || b.ec != std::errc{} || a.ptr != body.data() + slash ||
        b.ptr != body.data() + body.size() || num <= 0 || den <= 0)
      return std::nullopt;
    return Rational::reduced(num, den);
  }
  double value = 0;
  const auto parsed = std::from_chars(body.data(), body.data() + body.size(), value);
  if (parsed.ec != std::errc{} || parsed.ptr != body.data() + body.size() || body.empty()) return std::nullopt;
  value *= scale;
  if (!(value > 0) || !std::isfinite(value)) return std::nullopt;
  // Decimal input is exact in ten-thousandths (33.33% stays 3333/10000, not a float's binary fraction).
  return Rational::reduced(std::llround(value * 10000), 10000);
}

std::string speedText(Rational speed) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g%%", 100.0 * speed.toDouble());
  return text;
}

const char* conformModeName(ConformMode mode) { return mode == ConformMode::Interpolate ? "interpolate" : "repeat"; }

std::optional<ConformMode> parseConformMode(const std::string& name) {
  if (name == "repeat") return ConformMode::Repeat;
  if (name == "interpolate") return ConformMode::Interpolate;
  return std::nullopt;
}

}  // namespace lanterna::timeline
