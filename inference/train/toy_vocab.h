// The toy world's tokenizer, written in the Hugging Face CLIP BPE format (vocab.json, merges.txt with the
// "#version: 0.2" header, tokenizer_config.json, special_tokens_map.json) so the engine's CLIP tokenizer loads it
// like any downloaded one. Usage:
//   ToyVocabulary vocab = buildToyVocabulary(ToyWorld::captionWords());
//   Status written = writeToyTokenizer(modelDir / "tokenizer", vocab);
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "lanterna/result.h"

namespace lanterna::toy {

constexpr int kToyMaxPositions = 77;
inline constexpr const char* kStartOfText = "<|startoftext|>";
inline constexpr const char* kEndOfText = "<|endoftext|>";

struct ToyVocabulary {
  // In id order, as CLIP lays them out: 256 byte tokens, their 256 "</w>" variants, one token per merge, then
  // <|startoftext|> and <|endoftext|>.
  std::vector<std::string> tokens;
  std::vector<std::pair<std::string, std::string>> merges;  // by rank
};

// GPT-2's reversible byte -> printable code point table, as UTF-8 strings, indexed by byte.
std::vector<std::string> byteLevelAlphabet();

// Adds merges until every word (followed by "</w>") is one token; a word is the byte-level form of its UTF-8 text.
ToyVocabulary buildToyVocabulary(const std::vector<std::string>& words);

// Token count of the toy world's own vocabulary (ToyWorld::captionWords()): the text encoder's vocab_size.
std::int64_t toyVocabularySize();

// Writes the four files into dir (created if needed); names the file that could not be written.
Status writeToyTokenizer(const std::filesystem::path& dir, const ToyVocabulary& vocabulary);

}  // namespace lanterna::toy
