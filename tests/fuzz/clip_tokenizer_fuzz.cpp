// Fuzz target: the CLIP tokenizer on arbitrary bytes (invalid UTF-8, control characters, huge words). Every
// prompt gives exactly maxLength ids framed BOS..EOS, chunks of the same shape, and only ids from the vocabulary.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "clip_tokenizer.h"

using lanterna::inference::ClipTokenizer;

namespace {

const ClipTokenizer* tokenizer() {
  static const std::optional<ClipTokenizer> loaded = [] () -> std::optional<ClipTokenizer> {
    auto result = ClipTokenizer::load(LANTERNA_CLIP_TOKENIZER_DIR);
    if (!result) {
      std::fprintf(stderr, "clip tokenizer fuzz: %s (skipping)\n", result.error().message.c_str());
      return std::nullopt;
    }
    return std::move(*result);
  }();
  return loaded ? &*loaded : nullptr;
}

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "clip tokenizer fuzz: %s\n", what);
  std::abort();
}

void checkFramed(const ClipTokenizer& t, const std::vector<std::int64_t>& ids) {
  require(ids.size() == static_cast<std::size_t>(t.maxLength()), "ids not padded to maxLength");
  require(ids.front() == t.bosId(), "ids do not start with BOS");
  bool sawEos = false;
  for (const std::int64_t id : ids) {
    require(id >= 0 && static_cast<std::size_t>(id) < t.vocabSize(), "an id outside the vocabulary");
    sawEos = sawEos || id == t.eosId();
  }
  require(sawEos, "no EOS in the ids");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ClipTokenizer* t = tokenizer();
  if (!t || size > 8192) return 0;
  const std::string_view prompt(reinterpret_cast<const char*>(data), size);
  checkFramed(*t, t->tokenize(prompt));
  const auto chunks = t->tokenizeChunks(prompt);
  require(!chunks.empty(), "no chunks");
  for (const auto& chunk : chunks) checkFramed(*t, chunk);
  const auto ids = t->encode(prompt);
  const std::size_t perChunk = static_cast<std::size_t>(t->maxLength() - 2);
  require(chunks.size() == std::max<std::size_t>(1, (ids.size() + perChunk - 1) / perChunk), "chunk count");
  return 0;
}
