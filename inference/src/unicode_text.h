// Small Unicode toolkit for the tokenizer, without ICU: UTF-8 decoding that never fails, Python-like letter/number/
// whitespace classes, lower(), and the pairwise canonical compositions of NFC. Usage:
//   std::u32string text = unicode::decodeUtf8(prompt);   // invalid bytes become U+FFFD
//   if (unicode::isLetter(text[0])) ...
// Pure functions over constant tables: safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lanterna::inference {

namespace unicode_tables {
struct CodeRange { char32_t first, last; };
struct LowerRun { char32_t first, last; std::int32_t delta; std::int32_t stride; };
struct Composition { char32_t first, second, composed; };
extern const CodeRange kLetterRanges[];
extern const std::size_t kLetterRangesCount;
extern const CodeRange kNumberRanges[];
extern const std::size_t kNumberRangesCount;
extern const LowerRun kLowerRuns[];
extern const std::size_t kLowerRunsCount;
extern const Composition kCompositions[];
extern const std::size_t kCompositionsCount;
}  // namespace unicode_tables

namespace unicode {

std::u32string decodeUtf8(std::string_view bytes);
std::string encodeUtf8(std::u32string_view text);
void appendUtf8(std::string& out, char32_t codePoint);

bool isLetter(char32_t c);      // general category L*  (regex \p{L})
bool isNumber(char32_t c);      // general category N*  (regex \p{N})
bool isSpace(char32_t c);       // Python's str.isspace() / re's \s
char32_t toLower(char32_t c);   // Python's lower() where it maps to one code point
std::u32string toLower(std::u32string_view text);  // full lower(), incl. U+0130 -> "i\u0307"
// Composes base + combining mark pairs (canonical, NFC-style); Hangul jamo included. Not a full NFC.
std::u32string composeCanonical(std::u32string_view text);

}  // namespace unicode
}  // namespace lanterna::inference
