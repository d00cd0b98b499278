// Exact time for the document: a rational FrameRate and an integer FrameTime counted at the project rate. Usage:
//   auto rate = FrameRate::parse("30000/1001");            // std::optional<FrameRate>
//   Rational seconds = rate->toSeconds(FrameTime{30});    // 1001/1000 s, exactly
//   FrameTime at24 = convertFrames(FrameTime{30}, *rate, FrameRate{24, 1}, Rounding::Down);
// Plain value types; no threading concerns of their own.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

namespace lanterna::timeline {

// Results that fall between two ticks are rounded as the caller says; nothing is silently floored.
enum class Rounding { Down, Nearest, Up };

// A reduced fraction with a positive denominator (seconds, time bases, rates).
struct Rational {
  std::int64_t num = 0;
  std::int64_t den = 1;

  static Rational reduced(std::int64_t num, std::int64_t den);
  double toDouble() const { return static_cast<double>(num) / static_cast<double>(den); }
  bool operator==(const Rational&) const = default;
  std::strong_ordering operator<=>(const Rational& other) const;
};

// A count of frames at the project rate. Never seconds.
struct FrameTime {
  std::int64_t frames = 0;

  constexpr FrameTime() = default;
  constexpr explicit FrameTime(std::int64_t count) : frames(count) {}
  constexpr auto operator<=>(const FrameTime&) const = default;
  constexpr FrameTime operator+(FrameTime other) const { return FrameTime{frames + other.frames}; }
  constexpr FrameTime operator-(FrameTime other) const { return FrameTime{frames - other.frames}; }
  constexpr FrameTime& operator+=(FrameTime other) { frames += other.frames; return *this; }
  constexpr FrameTime& operator-=(FrameTime other) { frames -= other.frames; return *this; }
};

// Frames per second as num/den (24/1, 30000/1001). Kept reduced so equal rates compare equal.
struct FrameRate {
  std::int64_t num = 24;
  std::int64_t den = 1;

  // "24", "29.97" is refused (ambiguous); "30000/1001" is the way to say NTSC.
  static std::optional<FrameRate> parse(const std::string& text);
  std::string toString() const;  // "24" or "30000/1001"
  bool valid() const { return num > 0 && den > 0; }
  double toDouble() const { return static_cast<double>(num) / static_cast<double>(den); }

  Rational toSeconds(FrameTime time) const;
  FrameTime fromSeconds(Rational seconds, Rounding rounding) const;
  // Timestamps in a stream time base (e.g. 1/90000 for MPEG-TS, 1/48000 for audio samples).
  std::int64_t toTimestamp(FrameTime time, Rational timeBase, Rounding rounding) const;
  FrameTime fromTimestamp(std::int64_t timestamp, Rational timeBase, Rounding rounding) const;

  bool operator==(const FrameRate& other) const;
};

FrameTime convertFrames(FrameTime time, FrameRate from, FrameRate to, Rounding rounding);

}  // namespace lanterna::timeline
