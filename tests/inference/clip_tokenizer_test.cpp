#include "clip_tokenizer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "test_paths.h"
#include "unicode_text.h"

using namespace lanterna;
using namespace lanterna::inference;

namespace {

std::filesystem::path clipFolder() { return lanterna::testing::conformanceDir() / "clip_tokenizer"; }

const ClipTokenizer& clip() {
  static const ClipTokenizer tokenizer = [] {
    auto loaded = ClipTokenizer::load(clipFolder());
    if (!loaded) throw std::runtime_error(loaded.error().message);
    return *loaded;
  }();
  return tokenizer;
}

std::filesystem::path writeFolder(const std::string& name, const std::string& vocab, const std::string& merges,
                                  const std::string& config = "") {
  const auto dir = std::filesystem::temp_directory_path() / ("lanterna_tokenizer_test_" + name);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "vocab.json", std::ios::trunc) << vocab;
  std::ofstream(dir / "merges.txt", std::ios::trunc) << merges;
  if (config.empty()) std::filesystem::remove(dir / "tokenizer_config.json");
  else std::ofstream(dir / "tokenizer_config.json", std::ios::trunc) << config;
  return dir;
}

// A toy vocabulary in the Hugging Face layout with its own special ids, as Lanterna's toyworld files are.
const char* kToyVocab =
    R"({"!": 0, "a": 1, "b": 2, "a</w>": 3, "b</w>": 4, "ab</w>": 5, "ab": 6, "<|startoftext|>": 7,
        "<|endoftext|>": 8, "<pad>": 9, "c</w>": 10})";
const char* kToyMerges = "#version: 0.2\na b</w>\na b\n";

}  // namespace

TEST(ClipTokenizer, ToyFilesTakeSpecialAndPadIdsFromTheirConfig) {
  const auto dir = writeFolder("toy", kToyVocab, kToyMerges,
                               R"({"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
                                   "pad_token": "<pad>", "model_max_length": 6})");
  auto tokenizer = ClipTokenizer::load(dir);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().message;
  EXPECT_EQ(tokenizer->bosId(), 7);
  EXPECT_EQ(tokenizer->eosId(), 8);
  EXPECT_EQ(tokenizer->padId(), 9);
  EXPECT_EQ(tokenizer->encode("AB ab a"), (std::vector<std::int64_t>{5, 5, 3}));
  EXPECT_EQ(tokenizer->tokenize("ab"), (std::vector<std::int64_t>{7, 5, 8, 9, 9, 9}));
  EXPECT_EQ(tokenizer->tokenize("ab", 0), (std::vector<std::int64_t>{7, 5, 8, 0, 0, 0}));
  // Truncation keeps max_length-2 ids and forces EOS last; chunks carry the rest.
  EXPECT_EQ(tokenizer->tokenize("a b c ab ab"), (std::vector<std::int64_t>{7, 3, 4, 10, 5, 8}));
  const auto chunks = tokenizer->tokenizeChunks("a b c ab ab");
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1], (std::vector<std::int64_t>{7, 5, 8, 9, 9, 9}));
}

TEST(ClipTokenizer, MissingAndBrokenFilesAreNamed) {
  auto missing = ClipTokenizer::load(std::filesystem::temp_directory_path() / "lanterna_no_such_tokenizer");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::FileNotFound);
  EXPECT_NE(missing.error().message.find("vocab.json"), std::string::npos);

  auto badMerges = ClipTokenizer::load(writeFolder("bad_merges", kToyVocab, "#version: 0.2\na b c\n"));
  ASSERT_FALSE(badMerges.ok());
  EXPECT_EQ(badMerges.error().kind, ErrorKind::FormatIncorrect);
  EXPECT_NE(badMerges.error().message.find("merges.txt"), std::string::npos);
  EXPECT_NE(badMerges.error().message.find("line 2"), std::string::npos);

  auto badVocab = ClipTokenizer::load(writeFolder("bad_vocab", "{\"a\": 1,", kToyMerges));
  ASSERT_FALSE(badVocab.ok());
  EXPECT_EQ(badVocab.error().kind, ErrorKind::FormatIncorrect);
  EXPECT_NE(badVocab.error().message.find("vocab.json"), std::string::npos);
}

TEST(ClipTokenizer, EncodesKnownClipIds) {
  LANTERNA_REQUIRE_SHARED("conformance/clip_tokenizer/vocab.json");
  const auto ids = clip().tokenize("A photo of a CAT");
  ASSERT_EQ(ids.size(), 77u);
  EXPECT_EQ(std::vector<std::int64_t>(ids.begin(), ids.begin() + 8),
            (std::vector<std::int64_t>{49406, 320, 1125, 539, 320, 2368, 49407, 49407}));
  EXPECT_EQ(clip().encode("<|startoftext|>cat<|endoftext|>"), (std::vector<std::int64_t>{49406, 2368, 49407}));
}

TEST(ClipTokenizer, NormalizesLikeFtfyAndSimpleTokenizer) {
  LANTERNA_REQUIRE_SHARED("conformance/clip_tokenizer/vocab.json");
  EXPECT_EQ(clip().normalize("  Ｈｅｌｌｏ，\t“World”  &amp;amp; ﬁne "), "hello, \"world\" & fine");
  EXPECT_EQ(clip().normalize("Cafe\xCC\x81"), "caf\xC3\xA9");  // e + combining acute composes to é
  EXPECT_EQ(clip().encode("中文提示词，一只猫"), clip().encode("中文提示词,一只猫"));
}

TEST(ClipTokenizer, SurvivesInvalidUtf8) {
  LANTERNA_REQUIRE_SHARED("conformance/clip_tokenizer/vocab.json");
  const std::string broken = "cat \xFF\xFE dog \xC3 \xE2\x82 \xED\xA0\x80 \xF4\x90\x80\x80 end\xC3";
  const auto ids = clip().tokenize(broken);
  ASSERT_EQ(ids.size(), 77u);
  EXPECT_EQ(ids[0], 49406);
  EXPECT_EQ(ids[1], 2368);  // "cat" survives the garbage after it
  EXPECT_EQ(unicode::decodeUtf8("\xC3").size(), 1u);
  EXPECT_EQ(unicode::decodeUtf8("\xC3")[0], U'\uFFFD');
}

TEST(ClipTokenizer, LongPromptsAreFastAndChunked) {
  LANTERNA_REQUIRE_SHARED("conformance/clip_tokenizer/vocab.json");
  std::string words;
  while (words.size() < 100000) words += "masterpiece, best quality, a cat on a mat 42 ";
  const std::string oneWord(100000, 'x');
  const auto started = std::chrono::steady_clock::now();
  const auto ids = clip().tokenize(words);
  const auto single = clip().tokenize(oneWord);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(seconds, 10.0);
  ASSERT_EQ(ids.size(), 77u);
  EXPECT_EQ(ids[76], 49407);
  EXPECT_EQ(single[76], 49407);

  const auto body = clip().encode(words);
  const auto chunks = clip().tokenizeChunks(words);
  ASSERT_EQ(chunks.size(), (body.size() + 74) / 75);
  std::vector<std::int64_t> joined;
  for (const auto& chunk : chunks) {
    ASSERT_EQ(chunk.size(), 77u);
    EXPECT_EQ(chunk.front(), 49406);
    auto eos = std::find(chunk.begin() + 1, chunk.end(), 49407);
    joined.insert(joined.end(), chunk.begin() + 1, eos);
  }
  EXPECT_EQ(joined, body);
  EXPECT_EQ(clip().tokenizeChunks("").size(), 1u);
}
