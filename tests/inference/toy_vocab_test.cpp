#include "toy_vocab.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "toy_world.h"

using namespace lanterna::toy;

namespace {

std::filesystem::path writtenTokenizer() {
  const auto dir = std::filesystem::temp_directory_path() / "lanterna_toy_vocab_test";
  std::filesystem::remove_all(dir);
  const auto status = writeToyTokenizer(dir, buildToyVocabulary(ToyWorld::captionWords()));
  EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message);
  return dir;
}

nlohmann::json readJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::vector<std::pair<std::string, std::string>> readMerges(const std::filesystem::path& path, std::string& header) {
  std::ifstream in(path);
  std::getline(in, header);
  std::vector<std::pair<std::string, std::string>> merges;
  for (std::string line; std::getline(in, line);) {
    const auto space = line.find(' ');
    EXPECT_NE(space, std::string::npos) << line;
    EXPECT_EQ(line.find(' ', space + 1), std::string::npos) << line;
    merges.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
  return merges;
}

// CLIP's pre-tokenizer, reduced to what ASCII captions need: runs of letters, single digits, runs of other symbols.
std::vector<std::string> preTokenize(const std::string& caption) {
  static const std::regex piece(R"([a-z]+|[0-9]|[^\sa-z0-9]+)");
  std::vector<std::string> pieces;
  for (auto it = std::sregex_iterator(caption.begin(), caption.end(), piece); it != std::sregex_iterator(); ++it)
    pieces.push_back(it->str());
  return pieces;
}

// Greedy BPE, written from the format's definition: merge the best-ranked adjacent pair until none applies.
std::vector<std::string> bpe(const std::string& word, const std::map<std::pair<std::string, std::string>, int>& ranks) {
  std::vector<std::string> symbols;
  for (char c : word) symbols.emplace_back(1, c);  // ASCII letters and punctuation are their own byte symbols
  symbols.back() += "</w>";
  for (;;) {
    int bestRank = -1;
    std::size_t at = 0;
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
      auto it = ranks.find({symbols[i], symbols[i + 1]});
      if (it != ranks.end() && (bestRank < 0 || it->second < bestRank)) bestRank = it->second, at = i;
    }
    if (bestRank < 0) return symbols;
    symbols[at] += symbols[at + 1];
    symbols.erase(symbols.begin() + static_cast<long>(at) + 1);
  }
}

}  // namespace

TEST(ToyVocab, VocabularyIsByteLevelWithSpecialTokensLast) {
  const auto dir = writtenTokenizer();
  const nlohmann::json vocab = readJson(dir / "vocab.json");
  ASSERT_TRUE(vocab.is_object());
  const std::size_t size = vocab.size();
  EXPECT_GT(size, 512u + 50u);
  EXPECT_LT(size, 1000u);  // a few hundred beyond the byte alphabet
  std::set<int> ids;
  for (const auto& [token, id] : vocab.items()) ids.insert(id.get<int>());
  EXPECT_EQ(ids.size(), size);
  EXPECT_EQ(*ids.begin(), 0);
  EXPECT_EQ(*ids.rbegin(), static_cast<int>(size) - 1);
  EXPECT_EQ(vocab.at("!").get<int>(), 0);  // the first printable byte opens the table, as in CLIP
  EXPECT_EQ(vocab.at("!</w>").get<int>(), 256);
  EXPECT_EQ(vocab.at("a</w>").get<int>(), 256 + 'a' - '!');
  EXPECT_TRUE(vocab.contains("\xc4\xa0"));  // U+0120 stands for the space byte
  EXPECT_EQ(vocab.at("<|startoftext|>").get<int>(), static_cast<int>(size) - 2);
  EXPECT_EQ(vocab.at("<|endoftext|>").get<int>(), static_cast<int>(size) - 1);
}

TEST(ToyVocab, MergesAreWellFormedAndEachBuildsAVocabularyToken) {
  const auto dir = writtenTokenizer();
  const nlohmann::json vocab = readJson(dir / "vocab.json");
  std::string header;
  const auto merges = readMerges(dir / "merges.txt", header);
  EXPECT_EQ(header, "#version: 0.2");
  ASSERT_FALSE(merges.empty());
  std::set<std::pair<std::string, std::string>> unique(merges.begin(), merges.end());
  EXPECT_EQ(unique.size(), merges.size());
  for (const auto& [left, right] : merges) {
    EXPECT_TRUE(vocab.contains(left)) << left;
    EXPECT_TRUE(vocab.contains(right)) << right;
    EXPECT_TRUE(vocab.contains(left + right)) << left << right;
    EXPECT_EQ(left.find("</w>"), std::string::npos) << "only the last symbol of a word ends it";
  }
  EXPECT_EQ(vocab.size(), 512 + merges.size() + 2);
}

TEST(ToyVocab, EveryCaptionWordBecomesOneToken) {
  const auto dir = writtenTokenizer();
  const nlohmann::json vocab = readJson(dir / "vocab.json");
  std::string header;
  std::map<std::pair<std::string, std::string>, int> ranks;
  for (const auto& merge : readMerges(dir / "merges.txt", header)) ranks.emplace(merge, static_cast<int>(ranks.size()));
  const ToyWorld world(4);
  std::vector<std::string> captions;
  for (std::uint64_t i = 0; i < 150; ++i)
    for (Split split : {Split::Train, Split::HeldOut}) {
      captions.push_back(world.scene(i, split).caption);
      captions.push_back(world.clip(i, split).caption);
    }
  std::set<std::string> checked;
  for (const auto& caption : captions)
    for (const auto& word : preTokenize(caption)) {
      if (!checked.insert(word).second) continue;
      const auto tokens = bpe(word, ranks);
      ASSERT_EQ(tokens.size(), 1u) << "\"" << word << "\" from \"" << caption << "\" stays split";
      EXPECT_TRUE(vocab.contains(tokens[0])) << tokens[0];
    }
  EXPECT_GE(checked.size(), ToyWorld::captionWords().size());  // also "," and every vocabulary word
}

TEST(ToyVocab, ConfigFilesAreThoseOfAClipTokenizer) {
  const auto dir = writtenTokenizer();
  const nlohmann::json config = readJson(dir / "tokenizer_config.json");
  EXPECT_EQ(config.at("tokenizer_class"), "CLIPTokenizer");
  EXPECT_EQ(config.at("model_max_length"), 77);
  EXPECT_EQ(config.at("do_lower_case"), true);
  EXPECT_EQ(config.at("bos_token").at("content"), "<|startoftext|>");
  const nlohmann::json special = readJson(dir / "special_tokens_map.json");
  EXPECT_EQ(special.at("bos_token").at("content"), "<|startoftext|>");
  EXPECT_EQ(special.at("eos_token").at("content"), "<|endoftext|>");
  EXPECT_EQ(special.at("unk_token").at("content"), "<|endoftext|>");
  EXPECT_EQ(special.at("pad_token"), "<|endoftext|>");
}

TEST(ToyVocab, RefusesADirectoryItCannotCreate) {
  const auto status = writeToyTokenizer("/proc/lanterna_cannot_be_here", buildToyVocabulary({"red"}));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, lanterna::ErrorKind::NoWriteAccess);
  EXPECT_NE(status.error().message.find("lanterna_cannot_be_here"), std::string::npos);
}
