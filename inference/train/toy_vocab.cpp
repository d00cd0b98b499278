#include "toy_vocab.h"

#include <fstream>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "toy_world.h"

namespace lanterna::toy {
namespace {

constexpr const char* kEndOfWord = "</w>";

std::string utf8(unsigned codePoint) {
  std::string out;
  if (codePoint < 0x80) {
    out += static_cast<char>(codePoint);
  } else if (codePoint < 0x800) {
    out += static_cast<char>(0xC0 | (codePoint >> 6));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (codePoint >> 12));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  }
  return out;
}

bool printable(unsigned byte) {
  return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
}

// The table's order (printable bytes first, then the rest) is the order of CLIP's first 256 ids.
std::vector<unsigned> alphabetOrder() {
  std::vector<unsigned> order;
  for (unsigned b = 0; b < 256; ++b)
    if (printable(b)) order.push_back(b);
  for (unsigned b = 0; b < 256; ++b)
    if (!printable(b)) order.push_back(b);
  return order;
}

using Symbols = std::vector<std::string>;
using Ranks = std::map<std::pair<std::string, std::string>, std::size_t>;

Symbols initialSymbols(const std::string& word, const std::vector<std::string>& alphabet) {
  Symbols symbols;
  for (unsigned char c : word) symbols.push_back(alphabet[c]);
  symbols.back() += kEndOfWord;
  return symbols;
}

// Standard BPE: repeatedly merge every occurrence of the lowest-ranked adjacent pair.
Symbols applyMerges(Symbols symbols, const Ranks& ranks) {
  while (symbols.size() > 1) {
    std::size_t best = std::numeric_limits<std::size_t>::max();
    std::pair<std::string, std::string> bestPair;
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
      auto it = ranks.find({symbols[i], symbols[i + 1]});
      if (it != ranks.end() && it->second < best) {
        best = it->second;
        bestPair = it->first;
      }
    }
    if (best == std::numeric_limits<std::size_t>::max()) break;
    Symbols merged;
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      if (i + 1 < symbols.size() && symbols[i] == bestPair.first && symbols[i + 1] == bestPair.second) {
        merged.push_back(symbols[i] + symbols[i + 1]);
        ++i;
      } else {
        merged.push_back(symbols[i]);
      }
    }
    symbols = std::move(merged);
  }
  return symbols;
}

Status writeText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) return makeError(ErrorKind::NoWriteAccess, "Cannot write \"" + path.string() + "\".", path);
  return Ok{};
}

nlohmann::ordered_json addedToken(const char* content) {
  return {{"__type", "AddedToken"}, {"content", content}, {"lstrip", false}, {"normalized", true},
          {"rstrip", false},         {"single_word", false}};
}

}  // namespace

std::vector<std::string> byteLevelAlphabet() {
  std::vector<std::string> alphabet(256);
  unsigned extra = 0;
  for (unsigned b = 0; b < 256; ++b) alphabet[b] = utf8(printable(b) ? b : 256 + extra++);
  return alphabet;
}

ToyVocabulary buildToyVocabulary(const std::vector<std::string>& words) {
  const std::vector<std::string> alphabet = byteLevelAlphabet();
  ToyVocabulary vocab;
  for (unsigned b : alphabetOrder()) vocab.tokens.push_back(alphabet[b]);
  for (unsigned b : alphabetOrder()) vocab.tokens.push_back(alphabet[b] + kEndOfWord);
  Ranks ranks;
  // A new merge ranks after all earlier ones, so it never changes how an already-built word is merged.
  for (const std::string& word : words) {
    if (word.empty()) continue;
    for (Symbols symbols = applyMerges(initialSymbols(word, alphabet), ranks); symbols.size() > 1;
         symbols = applyMerges(initialSymbols(word, alphabet), ranks)) {
      ranks.emplace(std::make_pair(symbols[0], symbols[1]), vocab.merges.size());
      vocab.merges.emplace_back(symbols[0], symbols[1]);
      vocab.tokens.push_back(symbols[0] + symbols[1]);
    }
  }
  vocab.tokens.push_back(kStartOfText);
  vocab.tokens.push_back(kEndOfText);
  return vocab;
}

Status writeToyTokenizer(const std::filesystem::path& dir, const ToyVocabulary& vocabulary) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error)
    return makeError(ErrorKind::NoWriteAccess, "Cannot create \"" + dir.string() + "\": " + error.message(), dir);

  nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
  for (std::size_t id = 0; id < vocabulary.tokens.size(); ++id) vocab[vocabulary.tokens[id]] = id;
  std::string merges = "#version: 0.2\n";
  for (const auto& [left, right] : vocabulary.merges) merges += left + " " + right + "\n";

  nlohmann::ordered_json config = {
      {"add_prefix_space", false}, {"bos_token", addedToken(kStartOfText)}, {"do_lower_case", true},
      {"eos_token", addedToken(kEndOfText)}, {"errors", "replace"}, {"model_max_length", kToyMaxPositions},
      {"pad_token", kEndOfText}, {"tokenizer_class", "CLIPTokenizer"}, {"unk_token", addedToken(kEndOfText)}};
  nlohmann::ordered_json special = {{"bos_token", addedToken(kStartOfText)},
                                    {"eos_token", addedToken(kEndOfText)},
                                    {"pad_token", kEndOfText},
                                    {"unk_token", addedToken(kEndOfText)}};
  for (auto* object : {&special["bos_token"], &special["eos_token"], &special["unk_token"]}) object->erase("__type");

  if (Status s = writeText(dir / "vocab.json", vocab.dump()); !s) return s;
  if (Status s = writeText(dir / "merges.txt", merges); !s) return s;
  if (Status s = writeText(dir / "tokenizer_config.json", config.dump(2) + "\n"); !s) return s;
  return writeText(dir / "special_tokens_map.json", special.dump(2) + "\n");
}

std::int64_t toyVocabularySize() {
  return static_cast<std::int64_t>(buildToyVocabulary(ToyWorld::captionWords()).tokens.size());
}

}  // namespace lanterna::toy
