// The text clean-up openai CLIP's SimpleTokenizer applies before BPE: an ftfy.fix_text subset (HTML entities,
// terminal escapes, C1 controls, ligatures, full-width forms, curly quotes, line breaks, control characters,
// canonical composition), html.unescape twice, strip, whitespace collapse and lower(). Usage:
//   std::u32string text = normalizeClipText(unicode::decodeUtf8(prompt));
// Pure function: safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace lanterna::inference {

// Python's html.unescape: numeric references and the common named entities.
std::u32string unescapeHtml(std::u32string_view text);

// The ftfy.fix_text subset Lanterna reproduces (no mojibake detection).
std::u32string fixText(std::u32string_view text);

// fixText -> unescape twice -> strip -> collapse whitespace -> lower.
std::u32string normalizeClipText(std::u32string_view text);

}  // namespace lanterna::inference
