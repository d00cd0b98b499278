#include "clip_tokenizer.h"

#include <array>
#include <fstream>
#include <queue>
#include <sstream>

#include <nlohmann/json.hpp>

#include "clip_text_normalizer.h"
#include "unicode_text.h"

namespace lanterna::inference {
namespace {

constexpr std::size_t kMaxCachedWords = 65536;
const char* const kEndOfWord = "</w>";

// GPT-2/CLIP byte -> printable code point map: printable Latin-1 bytes stand for themselves, the rest move to 256+.
const std::array<std::string, 256>& byteSymbols() {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> symbols;
    int extra = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      unicode::appendUtf8(symbols[b], printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + extra++));
    }
    return symbols;
  }();
  return table;
}

bool startsWith(std::u32string_view text, std::size_t at, std::u32string_view prefix) {
  return !prefix.empty() && text.substr(at, prefix.size()) == prefix;
}

// CLIP's pre-tokenisation pattern, scanned by hand (alternatives tried in order, as the regex does):
//   <|startoftext|> | <|endoftext|> | 's|'t|'re|'ve|'m|'ll|'d | \p{L}+ | \p{N} | [^\s\p{L}\p{N}]+
std::vector<std::u32string> preTokenize(std::u32string_view text, std::u32string_view bos, std::u32string_view eos) {
  static const std::u32string_view kContractions[] = {U"'s", U"'t", U"'re", U"'ve", U"'m", U"'ll", U"'d"};
  std::vector<std::u32string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    const char32_t c = text[i];
    if (startsWith(text, i, bos) || startsWith(text, i, eos)) {
      const auto& special = startsWith(text, i, bos) ? bos : eos;
      words.emplace_back(special);
      i += special.size();
      continue;
    }
    if (c == U'\'') {
      bool matched = false;
      for (auto contraction : kContractions) {
        if (startsWith(text, i, contraction)) {
          words.emplace_back(contraction);
          i += contraction.size();
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    std::size_t end = i + 1;
    if (unicode::isLetter(c)) {
      while (end < text.size() && unicode::isLetter(text[end])) ++end;
    } else if (unicode::isNumber(c)) {
      // a single digit per token
    } else if (unicode::isSpace(c)) {
      ++i;
      continue;
    } else {
      while (end < text.size() && !unicode::isSpace(text[end]) && !unicode::isLetter(text[end]) &&
             !unicode::isNumber(text[end]))
        ++end;
    }
    words.emplace_back(text.substr(i, end - i));
    i = end;
  }
  return words;
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Error fileError(ErrorKind kind, const std::filesystem::path& path, const std::string& problem) {
  return makeError(kind, "Cannot load tokenizer file \"" + path.string() + "\": " + problem, path);
}

}  // namespace

Result<ClipTokenizer> ClipTokenizer::load(const std::filesystem::path& folder) {
  const auto config = folder / "tokenizer_config.json";
  return load(folder / "vocab.json", folder / "merges.txt",
              std::filesystem::exists(config) ? config : std::filesystem::path{});
}

Result<ClipTokenizer> ClipTokenizer::load(const std::filesystem::path& vocabFile,
                                          const std::filesystem::path& mergesFile,
                                          const std::filesystem::path& configFile) {
  for (const auto& path : {vocabFile, mergesFile})
    if (!std::filesystem::is_regular_file(path)) return fileError(ErrorKind::FileNotFound, path, "file not found");

  ClipTokenizer tokenizer;
  auto vocab = std::make_shared<std::unordered_map<std::string, std::int64_t>>();
  try {
    const auto json = nlohmann::json::parse(readFile(vocabFile));
    if (!json.is_object() || json.empty())
      return fileError(ErrorKind::FormatIncorrect, vocabFile, "expected a JSON object of token -> id");
    for (const auto& [token, id] : json.items()) (*vocab)[token] = id.get<std::int64_t>();
  } catch (const nlohmann::json::exception& e) {
    return fileError(ErrorKind::FormatIncorrect, vocabFile, std::string("not a valid vocab.json (") + e.what() + ")");
  }

  auto ranks = std::make_shared<std::unordered_map<std::string, int>>();
  std::ifstream merges(mergesFile);
  std::string line;
  int lineNumber = 0;
  while (std::getline(merges, line)) {
    ++lineNumber;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (lineNumber == 1 && line.rfind("#version", 0) == 0)) continue;
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string::npos)
      return fileError(ErrorKind::FormatIncorrect, mergesFile,
                       "line " + std::to_string(lineNumber) + " is not a \"left right\" merge pair");
    ranks->emplace(line, static_cast<int>(ranks->size()));
  }
  if (ranks->empty()) return fileError(ErrorKind::FormatIncorrect, mergesFile, "no merges in the file");

  if (!configFile.empty()) {
    try {
      const auto config = nlohmann::json::parse(readFile(configFile));
      auto tokenText = [&](const char* key, std::string fallback) {
        if (!config.contains(key)) return fallback;
        const auto& value = config[key];
        if (value.is_string()) return value.get<std::string>();
        if (value.is_object() && value.contains("content")) return value["content"].get<std::string>();
        return fallback;
      };
      tokenizer.bosToken_ = tokenText("bos_token", tokenizer.bosToken_);
      tokenizer.eosToken_ = tokenText("eos_token", tokenizer.eosToken_);
      if (config.contains("model_max_length") && config["model_max_length"].is_number_integer())
        tokenizer.maxLength_ = static_cast<int>(std::clamp<std::int64_t>(config["model_max_length"], 3, 4096));
      const std::string padToken = tokenText("pad_token", tokenizer.eosToken_);
      const std::string unkToken = tokenText("unk_token", tokenizer.eosToken_);
      if (auto it = vocab->find(padToken); it != vocab->end()) tokenizer.padId_ = it->second;
      if (auto it = vocab->find(unkToken); it != vocab->end()) tokenizer.unkId_ = it->second;
      if (config.contains("pad_token_id") && config["pad_token_id"].is_number_integer())
        tokenizer.padId_ = config["pad_token_id"];
    } catch (const nlohmann::json::exception& e) {
      return fileError(ErrorKind::FormatIncorrect, configFile, std::string("not valid JSON (") + e.what() + ")");
    }
  }
  auto bos = vocab->find(tokenizer.bosToken_);
  auto eos = vocab->find(tokenizer.eosToken_);
  if (bos == vocab->end() || eos == vocab->end())
    return fileError(ErrorKind::FormatIncorrect, vocabFile,
                     "missing the special tokens \"" + tokenizer.bosToken_ + "\" / \"" + tokenizer.eosToken_ + "\"");
  tokenizer.bosId_ = bos->second;
  tokenizer.eosId_ = eos->second;
  if (configFile.empty()) tokenizer.padId_ = tokenizer.unkId_ = tokenizer.eosId_;
  tokenizer.vocab_ = std::move(vocab);
  tokenizer.mergeRanks_ = std::move(ranks);
  return tokenizer;
}

std::string ClipTokenizer::normalize(std::string_view prompt) const {
  return unicode::encodeUtf8(normalizeClipText(unicode::decodeUtf8(prompt)));
}

// Byte-level BPE: repeatedly merge the adjacent pair with the lowest merge rank. A heap keyed by (rank, position)
// keeps this O(n log n), so a pathological 100 000-letter word stays fast; merging left to right within one rank
// reproduces the reference's "merge every occurrence of the best pair" pass.
std::vector<std::int64_t> ClipTokenizer::bpe(const std::string& word) const {
  std::vector<std::string> symbols;
  const auto codePoints = unicode::decodeUtf8(word);
  for (char32_t c : codePoints) symbols.push_back(unicode::encodeUtf8(std::u32string_view(&c, 1)));
  if (symbols.empty()) return {};
  symbols.back() += kEndOfWord;
  const int n = static_cast<int>(symbols.size());
  std::vector<int> next(n), prev(n);
  for (int i = 0; i < n; ++i) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  auto rankOf = [&](int left) -> int {
    if (left < 0 || next[left] < 0) return -1;
    auto it = mergeRanks_->find(symbols[left] + ' ' + symbols[next[left]]);
    return it == mergeRanks_->end() ? -1 : it->second;
  };
  using Entry = std::pair<int, int>;  // (rank, left position)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  for (int i = 0; i + 1 < n; ++i)
    if (int rank = rankOf(i); rank >= 0) heap.push({rank, i});
  std::vector<bool> alive(n, true);
  while (!heap.empty()) {
    const auto [rank, left] = heap.top();
    heap.pop();
    if (!alive[left] || rankOf(left) != rank) continue;  // stale: a neighbour merged since it was queued
    const int right = next[left];
    symbols[left] += symbols[right];
    alive[right] = false;
    next[left] = next[right];
    if (next[left] >= 0) prev[next[left]] = left;
    if (int r = rankOf(prev[left]); r >= 0) heap.push({r, prev[left]});
    if (int r = rankOf(left); r >= 0) heap.push({r, left});
  }
  std::vector<std::int64_t> ids;
  for (int i = 0; i >= 0 && i < n; i = next[i]) {
    auto it = vocab_->find(symbols[i]);
    ids.push_back(it == vocab_->end() ? unkId_ : it->second);
  }
  return ids;
}

std::vector<std::int64_t> ClipTokenizer::encode(std::string_view prompt) const {
  const std::u32string text = normalizeClipText(unicode::decodeUtf8(prompt));
  const std::u32string bos = unicode::decodeUtf8(bosToken_), eos = unicode::decodeUtf8(eosToken_);
  std::vector<std::int64_t> ids;
  for (const auto& word : preTokenize(text, bos, eos)) {
    if (word == bos) { ids.push_back(bosId_); continue; }
    if (word == eos) { ids.push_back(eosId_); continue; }
    std::string byteWord;
    for (unsigned char b : unicode::encodeUtf8(word)) byteWord += byteSymbols()[b];
    {
      std::lock_guard lock(cache_->mutex);
      if (auto it = cache_->words.find(byteWord); it != cache_->words.end()) {
        ids.insert(ids.end(), it->second.begin(), it->second.end());
        continue;
      }
    }
    auto wordIds = bpe(byteWord);
    ids.insert(ids.end(), wordIds.begin(), wordIds.end());
    std::lock_guard lock(cache_->mutex);
    if (cache_->words.size() >= kMaxCachedWords) cache_->words.clear();
    cache_->words.emplace(std::move(byteWord), std::move(wordIds));
  }
  return ids;
}

std::vector<std::int64_t> ClipTokenizer::wrap(const std::int64_t* ids, std::size_t count, std::int64_t padId) const {
  std::vector<std::int64_t> out;
  out.reserve(maxLength_);
  out.push_back(bosId_);
  out.insert(out.end(), ids, ids + std::min<std::size_t>(count, maxLength_ - 2));
  out.push_back(eosId_);
  out.resize(maxLength_, padId);
  return out;
}

std::vector<std::int64_t> ClipTokenizer::tokenize(std::string_view prompt) const { return tokenize(prompt, padId_); }

std::vector<std::int64_t> ClipTokenizer::tokenize(std::string_view prompt, std::int64_t padId) const {
  const auto ids = encode(prompt);
  return wrap(ids.data(), ids.size(), padId);
}

std::vector<std::vector<std::int64_t>> ClipTokenizer::tokenizeChunks(std::string_view prompt) const {
  const auto ids = encode(prompt);
  const std::size_t chunkSize = maxLength_ - 2;
  std::vector<std::vector<std::int64_t>> chunks;
  for (std::size_t start = 0; start < ids.size(); start += chunkSize)
    chunks.push_back(wrap(ids.data() + start, std::min(chunkSize, ids.size() - start), padId_));
  if (chunks.empty()) chunks.push_back(wrap(ids.data(), 0, padId_));
  return chunks;
}

}  // namespace lanterna::inference
