// CLIP's byte-level BPE tokenizer (openai SimpleTokenizer semantics) over Hugging Face tokenizer files. Usage:
//   auto tokenizer = ClipTokenizer::load(folder);          // vocab.json + merges.txt (+ tokenizer_config.json)
//   std::vector<std::int64_t> ids = tokenizer->tokenize("a photo of a cat");        // 77 ids, BOS..EOS, padded
//   auto chunks = tokenizer->tokenizeChunks(longPrompt);    // 75-token pieces, each wrapped to 77
// A tokenizer is immutable apart from its BPE cache, which is guarded: calls from several threads are safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lanterna/result.h"

namespace lanterna::inference {

class ClipTokenizer {
 public:
  static constexpr int kDefaultMaxLength = 77;

  // Reads folder/vocab.json, folder/merges.txt and, when present, folder/tokenizer_config.json (special tokens,
  // pad token, model_max_length). Without a config the CLIP defaults apply: pad = EOS.
  static Result<ClipTokenizer> load(const std::filesystem::path& folder);
  static Result<ClipTokenizer> load(const std::filesystem::path& vocabFile, const std::filesystem::path& mergesFile,
                                    const std::filesystem::path& configFile = {});

  // The text the BPE sees (ftfy-like fix, unescape, whitespace collapse, lower), as UTF-8.
  std::string normalize(std::string_view prompt) const;
  // BPE ids of the prompt, without BOS/EOS and without truncation.
  std::vector<std::int64_t> encode(std::string_view prompt) const;
  // BOS + ids + EOS, truncated to maxLength (last id forced to EOS), padded with padId() (or the given pad id).
  std::vector<std::int64_t> tokenize(std::string_view prompt) const;
  std::vector<std::int64_t> tokenize(std::string_view prompt, std::int64_t padId) const;
  // Long prompts: the ids split into pieces of maxLength-2, each wrapped BOS..EOS and padded; at least one chunk.
  std::vector<std::vector<std::int64_t>> tokenizeChunks(std::string_view prompt) const;

  std::int64_t bosId() const { return bosId_; }
  std::int64_t eosId() const { return eosId_; }
  std::int64_t padId() const { return padId_; }
  int maxLength() const { return maxLength_; }
  std::size_t vocabSize() const { return vocab_->size(); }

 private:
  ClipTokenizer() = default;
  std::vector<std::int64_t> bpe(const std::string& byteWord) const;
  std::vector<std::int64_t> wrap(const std::int64_t* ids, std::size_t count, std::int64_t padId) const;

  std::shared_ptr<const std::unordered_map<std::string, std::int64_t>> vocab_;
  std::shared_ptr<const std::unordered_map<std::string, int>> mergeRanks_;  // "left right" -> rank
  std::string bosToken_ = "<|startoftext|>", eosToken_ = "<|endoftext|>";
  std::int64_t bosId_ = 49406, eosId_ = 49407, padId_ = 49407, unkId_ = 49407;
  int maxLength_ = kDefaultMaxLength;

  struct Cache {
    std::mutex mutex;
    std::unordered_map<std::string, std::vector<std::int64_t>> words;
  };
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

}  // namespace lanterna::inference
