#include "lanterna/timeline/frame_time.h"

#include <charconv>
#include <numeric>

namespace lanterna::timeline {
namespace {

using Wide = __int128;  // products of two int64 values stay exact

Wide divideRounded(Wide num, Wide den, Rounding rounding) {
  if (den < 0) num = -num, den = -den;
  Wide quotient = num / den;
  const Wide remainder = num % den;
  if (remainder == 0) return quotient;
  const bool negative = remainder < 0;
  switch (rounding) {
    case Rounding::Down: return negative ? quotient - 1 : quotient;
    case Rounding::Up: return negative ? quotient : quotient + 1;
    case Rounding::Nearest: {
      const Wide twice = 2 * (negative ? -remainder : remainder);
      if (twice < den) return quotient;
      // Ties go away from zero, like std::round.
      return negative ? quotient - 1 : quotient + 1;
    }
  }
  return quotient;
}

std::optional<std::int64_t> parseInteger(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Rational Rational::reduced(std::int64_t num, std::int64_t den) {
  if (den < 0) num = -num, den = -den;
  const std::int64_t divisor = std::gcd(num, den);
  if (divisor > 1) num /= divisor, den /= divisor;
  return Rational{num, den};
}

std::strong_ordering Rational::operator<=>(const Rational& other) const {
  return Wide(num) * other.den <=> Wide(other.num) * den;
}

std::optional<FrameRate> FrameRate::parse(const std::string& text) {
  const auto slash = text.find('/');
  const auto num = parseInteger(std::string_view(text).substr(0, slash));
  const auto den = slash == std::string::npos ? std::optional<std::int64_t>(1)
                                              : parseInteger(std::string_view(text).substr(slash + 1));
  if (!num || !den || *num <= 0 || *den <= 0) return std::nullopt;
  const Rational rate = Rational::reduced(*num, *den);
  return FrameRate{rate.num, rate.den};
}

std::string FrameRate::toString() const {
  return den == 1 ? std::to_string(num) : std::to_string(num) + "/" + std::to_string(den);
}

bool FrameRate::operator==(const FrameRate& other) const {
  return Wide(num) * other.den == Wide(other.num) * den;
}

Rational FrameRate::toSeconds(FrameTime time) const { return Rational::reduced(time.frames * den, num); }

FrameTime FrameRate::fromSeconds(Rational seconds, Rounding rounding) const {
  return FrameTime{static_cast<std::int64_t>(divideRounded(Wide(seconds.num) * num, Wide(seconds.den) * den, rounding))};
}

std::int64_t FrameRate::toTimestamp(FrameTime time, Rational timeBase, Rounding rounding) const {
  // seconds = frames * den / num; timestamp = seconds / timeBase.
  return static_cast<std::int64_t>(
      divideRounded(Wide(time.frames) * den * timeBase.den, Wide(num) * timeBase.num, rounding));
}

FrameTime FrameRate::fromTimestamp(std::int64_t timestamp, Rational timeBase, Rounding rounding) const {
  return FrameTime{static_cast<std::int64_t>(
      divideRounded(Wide(timestamp) * timeBase.num * num, Wide(timeBase.den) * den, rounding))};
}

FrameTime convertFrames(FrameTime time, FrameRate from, FrameRate to, Rounding rounding) {
  return FrameTime{static_cast<std::int64_t>(
      divideRounded(Wide(time.frames) * from.den * to.num, Wide(from.num) * to.den, rounding))};
}

}  // namespace lanterna::timeline
