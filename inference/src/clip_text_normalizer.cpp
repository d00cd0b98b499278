#include "clip_text_normalizer.h"

#include <cstdint>
#include <string>
#include <unordered_map>

#include "unicode_text.h"

namespace lanterna::inference {
namespace {

// Windows-1252 meaning of the C1 range, as ftfy's fix_c1_controls and html.unescape read it; 0 = undefined.
constexpr char16_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

const std::unordered_map<std::u32string, std::u32string>& namedEntities() {
  static const std::unordered_map<std::u32string, std::u32string> table = {
      {U"amp", U"&"},      {U"lt", U"<"},        {U"gt", U">"},        {U"quot", U"\""},   {U"apos", U"'"},
      {U"nbsp", U"\u00A0"}, {U"copy", U"\u00A9"}, {U"reg", U"\u00AE"},  {U"trade", U"\u2122"},
      {U"hellip", U"\u2026"}, {U"mdash", U"\u2014"}, {U"ndash", U"\u2013"}, {U"lsquo", U"\u2018"},
      {U"rsquo", U"\u2019"}, {U"ldquo", U"\u201C"}, {U"rdquo", U"\u201D"}, {U"laquo", U"\u00AB"},
      {U"raquo", U"\u00BB"}, {U"middot", U"\u00B7"}, {U"bull", U"\u2022"}, {U"deg", U"\u00B0"},
      {U"times", U"\u00D7"}, {U"divide", U"\u00F7"}, {U"euro", U"\u20AC"}, {U"pound", U"\u00A3"},
      {U"yen", U"\u00A5"},  {U"cent", U"\u00A2"},  {U"sect", U"\u00A7"},  {U"para", U"\u00B6"},
      {U"eacute", U"\u00E9"}, {U"egrave", U"\u00E8"}, {U"ecirc", U"\u00EA"}, {U"euml", U"\u00EB"},
      {U"aacute", U"\u00E1"}, {U"agrave", U"\u00E0"}, {U"acirc", U"\u00E2"}, {U"auml", U"\u00E4"},
      {U"aring", U"\u00E5"}, {U"atilde", U"\u00E3"}, {U"ccedil", U"\u00E7"}, {U"iacute", U"\u00ED"},
      {U"ntilde", U"\u00F1"}, {U"oacute", U"\u00F3"}, {U"ouml", U"\u00F6"}, {U"uuml", U"\u00FC"},
      {U"uacute", U"\u00FA"}, {U"szlig", U"\u00DF"}, {U"Eacute", U"\u00C9"}, {U"Auml", U"\u00C4"},
      {U"Ouml", U"\u00D6"}, {U"Uuml", U"\u00DC"}};
  return table;
}

bool isHexDigit(char32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Python's html._replace_charref for a numeric reference.
std::u32string numericReference(std::uint64_t number) {
  if (number < 0xA0 && number >= 0x80) {
    char32_t mapped = kCp1252High[number - 0x80];
    return std::u32string(1, mapped ? mapped : static_cast<char32_t>(number));
  }
  if (number == 0) return U"\uFFFD";
  if (number == 0x0D) return U"\r";
  if ((number >= 0xD800 && number <= 0xDFFF) || number > 0x10FFFF) return U"\uFFFD";
  if ((number >= 0x1 && number <= 0x8) || number == 0xB || (number >= 0xE && number <= 0x1F) ||
      (number >= 0x7F && number <= 0x9F) || (number >= 0xFDD0 && number <= 0xFDEF) || (number & 0xFFFE) == 0xFFFE)
    return U"";
  return std::u32string(1, static_cast<char32_t>(number));
}

// Width variants as NFKC maps them (ftfy.fix_character_width), for the forms prompts actually contain.
char32_t narrowWidth(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFEE0;
  switch (c) {
    case 0x3000: return U' ';
    case 0xFF5F: return 0x2985;
    case 0xFF60: return 0x2986;
    case 0xFF61: return 0x3002;
    case 0xFF62: return 0x300C;
    case 0xFF63: return 0x300D;
    case 0xFF64: return 0x3001;
    case 0xFFE0: return 0xA2;
    case 0xFFE1: return 0xA3;
    case 0xFFE2: return 0xAC;
    case 0xFFE4: return 0xA6;
    case 0xFFE5: return 0xA5;
    case 0xFFE6: return 0x20A9;
    default: return c;
  }
}

const char32_t* ligature(char32_t c) {
  switch (c) {
    case 0x132: return U"IJ";
    case 0x133: return U"ij";
    case 0x1C7: return U"LJ";
    case 0x1C8: return U"Lj";
    case 0x1C9: return U"lj";
    case 0x1CA: return U"NJ";
    case 0x1CB: return U"Nj";
    case 0x1CC: return U"nj";
    case 0xFB00: return U"ff";
    case 0xFB01: return U"fi";
    case 0xFB02: return U"fl";
    case 0xFB03: return U"ffi";
    case 0xFB04: return U"ffl";
    case 0xFB06: return U"st";
    default: return nullptr;
  }
}

bool isRemovedControl(char32_t c) {
  return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || (c >= 0x206A && c <= 0x206F) ||
         c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
}

std::u32string removeTerminalEscapes(std::u32string_view text) {
  std::u32string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == 0x1B && i + 1 < text.size() && text[i + 1] == U'[') {
      std::size_t j = i + 2;
      while (j < text.size() && ((text[j] >= '0' && text[j] <= '9') || text[j] == ';')) ++j;
      if (j < text.size() && ((text[j] >= 'a' && text[j] <= 'z') || (text[j] >= 'A' && text[j] <= 'Z'))) {
        i = j;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace

std::u32string unescapeHtml(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != U'&') { out.push_back(text[i++]); continue; }
    std::size_t j = i + 1;
    if (j < text.size() && text[j] == U'#') {
      const bool hex = j + 1 < text.size() && (text[j + 1] == U'x' || text[j + 1] == U'X');
      std::size_t k = j + (hex ? 2 : 1), start = k;
      std::uint64_t number = 0;
      while (k < text.size() && (hex ? isHexDigit(text[k]) : (text[k] >= '0' && text[k] <= '9'))) {
        const char32_t d = text[k];
        const int v = d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10;
        number = std::min<std::uint64_t>(number * (hex ? 16 : 10) + v, 0x7FFFFFFF);
        ++k;
      }
      if (k == start) { out.push_back(text[i++]); continue; }
      if (k < text.size() && text[k] == U';') ++k;
      out += numericReference(number);
      i = k;
      continue;
    }
    std::size_t k = j;
    while (k < text.size() && k - j < 32 && text[k] != U';' && text[k] != U'&' && text[k] != U'#' &&
           text[k] != U'<' && !unicode::isSpace(text[k]))
      ++k;
    const std::u32string name(text.substr(j, k - j));
    auto found = namedEntities().find(name);
    if (found != namedEntities().end() && k < text.size() && text[k] == U';') {
      out += found->second;
      i = k + 1;
    } else if (found != namedEntities().end() && (name == U"amp" || name == U"lt" || name == U"gt" ||
                                                  name == U"quot" || name == U"nbsp" || name == U"copy" ||
                                                  name == U"reg")) {
      out += found->second;  // HTML's legacy entities also match without the semicolon
      i = k;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

std::u32string fixText(std::u32string_view input) {
  // ftfy leaves HTML alone when the text looks like HTML (contains '<').
  std::u32string text = input.find(U'<') == std::u32string_view::npos ? unescapeHtml(input) : std::u32string(input);
  text = removeTerminalEscapes(text);
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char32_t c = text[i];
    if (c >= 0x80 && c <= 0x9F && kCp1252High[c - 0x80]) c = kCp1252High[c - 0x80];
    if (const char32_t* expanded = ligature(c)) { out += expanded; continue; }
    c = narrowWidth(c);
    if (c == 0x2BC || (c >= 0x2018 && c <= 0x201B)) c = U'\'';
    if (c >= 0x201C && c <= 0x201F) c = U'"';
    if (c == U'\r') {  // \r\n and lone \r become \n
      if (i + 1 < text.size() && text[i + 1] == U'\n') ++i;
      c = U'\n';
    }
    if (c == 0x2028 || c == 0x2029 || c == 0x85) c = U'\n';
    if (isRemovedControl(c)) continue;
    out.push_back(c);
  }
  return unicode::composeCanonical(out);
}

std::u32string normalizeClipText(std::u32string_view input) {
  const std::u32string text = unescapeHtml(unescapeHtml(fixText(input)));
  std::u32string out;
  out.reserve(text.size());
  bool pendingSpace = false;
  for (char32_t c : text) {
    if (unicode::isSpace(c)) {
      pendingSpace = !out.empty();
      continue;
    }
    if (pendingSpace) out.push_back(U' ');
    pendingSpace = false;
    out.push_back(c);
  }
  return unicode::toLower(out);
}

}  // namespace lanterna::inference
