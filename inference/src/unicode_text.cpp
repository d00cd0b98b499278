#include "unicode_text.h"

#include <algorithm>

namespace lanterna::inference::unicode {
namespace {

using namespace unicode_tables;

constexpr char32_t kReplacement = 0xFFFD;

bool inRanges(const CodeRange* ranges, std::size_t count, char32_t c) {
  const CodeRange* end = ranges + count;
  const CodeRange* it = std::upper_bound(ranges, end, c, [](char32_t v, const CodeRange& r) { return v < r.first; });
  if (it == ranges) return false;
  --it;
  return c <= it->last;
}

// Hangul syllables compose algorithmically (L + V -> LV, LV + T -> LVT).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr int kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

char32_t composePair(char32_t a, char32_t b) {
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase && b < kTBase + kTCount)
    return a + (b - kTBase);
  const Composition* end = kCompositions + kCompositionsCount;
  const Composition* it = std::lower_bound(kCompositions, end, std::pair{a, b}, [](const Composition& c, auto key) {
    return c.first < key.first || (c.first == key.first && c.second < key.second);
  });
  if (it != end && it->first == a && it->second == b) return it->composed;
  return 0;
}

}  // namespace

std::u32string decodeUtf8(std::string_view bytes) {
  std::u32string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  while (i < n) {
    const auto b0 = static_cast<unsigned char>(bytes[i]);
    if (b0 < 0x80) { out.push_back(b0); ++i; continue; }
    int length = 0;
    char32_t cp = 0, minimum = 0;
    if ((b0 & 0xE0) == 0xC0) { length = 2; cp = b0 & 0x1F; minimum = 0x80; }
    else if ((b0 & 0xF0) == 0xE0) { length = 3; cp = b0 & 0x0F; minimum = 0x800; }
    else if ((b0 & 0xF8) == 0xF0) { length = 4; cp = b0 & 0x07; minimum = 0x10000; }
    else { out.push_back(kReplacement); ++i; continue; }
    int got = 1;
    while (got < length && i + got < n && (static_cast<unsigned char>(bytes[i + got]) & 0xC0) == 0x80) {
      cp = (cp << 6) | (static_cast<unsigned char>(bytes[i + got]) & 0x3F);
      ++got;
    }
    // Truncated, overlong, surrogate or out-of-range sequences each become one replacement character.
    if (got < length || cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out.push_back(kReplacement);
      i += got;
      continue;
    }
    out.push_back(cp);
    i += length;
  }
  return out;
}

void appendUtf8(std::string& out, char32_t c) {
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = kReplacement;
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string encodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) appendUtf8(out, c);
  return out;
}

bool isLetter(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return inRanges(kLetterRanges, kLetterRangesCount, c);
}

bool isNumber(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return inRanges(kNumberRanges, kNumberRangesCount, c);
}

bool isSpace(char32_t c) {
  switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x1C: case 0x1D: case 0x1E: case 0x1F:
    case 0x20: case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

char32_t toLower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  const LowerRun* end = kLowerRuns + kLowerRunsCount;
  const LowerRun* it = std::upper_bound(kLowerRuns, end, c, [](char32_t v, const LowerRun& r) { return v < r.first; });
  if (it == kLowerRuns) return c;
  --it;
  if (c > it->last || (c - it->first) % static_cast<char32_t>(it->stride) != 0) return c;
  return static_cast<char32_t>(static_cast<std::int64_t>(c) + it->delta);
}

std::u32string toLower(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (c == 0x130) {  // the one lower() that grows: I WITH DOT ABOVE -> i + COMBINING DOT ABOVE
      out.push_back(U'i');
      out.push_back(0x307);
    } else {
      out.push_back(toLower(c));
    }
  }
  return out;
}

std::u32string composeCanonical(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (!out.empty()) {
      if (char32_t composed = composePair(out.back(), c)) {
        out.back() = composed;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace lanterna::inference::unicode
