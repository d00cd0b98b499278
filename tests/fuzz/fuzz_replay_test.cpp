// Replays a fuzz target's checked-in corpus and crashers as an ordinary test, so every compiler (and ctest) keeps
// the inputs that once crashed a parser from crashing it again. The fuzz target itself asserts what must hold.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int replayFolder(const std::filesystem::path& folder) {
  int count = 0;
  if (!std::filesystem::is_directory(folder)) return count;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (!entry.is_regular_file() || entry.path().filename() == ".gitkeep") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
    SCOPED_TRACE(entry.path().string());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    ++count;
  }
  return count;
}

TEST(FuzzReplay, CorpusAndCrashersRunClean) {
  const int corpus = replayFolder(LANTERNA_FUZZ_CORPUS);
  const int crashers = replayFolder(LANTERNA_FUZZ_CRASHERS);
  EXPECT_GT(corpus, 0) << "no seed inputs in " << LANTERNA_FUZZ_CORPUS;
  RecordProperty("inputs", corpus + crashers);
}

TEST(FuzzReplay, EmptyAndTinyInputsRunClean) {
  const std::uint8_t bytes[] = {0, 0xff, '{', '"', 0x89, 'P', 'N', 'G'};
  for (std::size_t size = 0; size <= sizeof bytes; ++size) LLVMFuzzerTestOneInput(bytes, size);
}

}  // namespace
