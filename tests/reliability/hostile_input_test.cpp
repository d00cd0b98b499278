// Hostile inputs: model files whose headers lie, images with absurd dimensions, prompts of 100 000 characters and
// settings out of range, through the public APIs and lanterna-cli. Each is refused quickly, with a message that
// says what is wrong — never a crash, a hang or a huge allocation.
#include <gtest/gtest.h>

#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>

#include "child_process.h"
#include "lanterna/app/image_convert.h"
#include "lanterna/assets/image_io.h"
#include "lanterna/inference/engine.h"
#include "lanterna/inference/safetensors.h"
#include "temp_dir.h"
#include "tiny_model.h"
#include "test_paths.h"

namespace lanterna::testing {
namespace {

using inference::SafetensorsFile;

std::string safetensorsBytes(const std::string& header, std::size_t dataBytes, std::uint64_t claimedLength = 0) {
  const std::uint64_t length = claimedLength ? claimedLength : header.size();
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  return bytes + header + std::string(dataBytes, '\0');
}

std::string refusal(const TempDir& dir, const std::string& bytes) {
  const auto file = dir.write("hostile.safetensors", bytes);
  auto opened = SafetensorsFile::open(file);
  EXPECT_FALSE(opened.ok());
  if (opened.ok()) return {};
  EXPECT_NE(opened.error().message.find("hostile.safetensors"), std::string::npos) << opened.error().message;
  return opened.error().message;
}

TEST(HostileModel, HeaderLengthBeyondTheFileIsRefused) {
  TempDir dir;
  EXPECT_FALSE(refusal(dir, safetensorsBytes("{}", 0, std::uint64_t(1) << 62)).empty());
  EXPECT_FALSE(refusal(dir, safetensorsBytes("{}", 0, 99ull << 20)).empty());
}

TEST(HostileModel, ShapesClaimingHugeSizesAreRefused) {
  TempDir dir;
  // 2^62 * 4 elements * 4 bytes overflows 64 bits; the byte range says 16.
  EXPECT_FALSE(refusal(dir, safetensorsBytes(R"({"w":{"dtype":"F32","shape":[4611686018427387904,4],)"
                                             R"("data_offsets":[0,16]}})", 16)).empty());
  // An honest shape whose bytes the file does not have.
  EXPECT_FALSE(refusal(dir, safetensorsBytes(R"({"w":{"dtype":"F32","shape":[1000000000],)"
                                             R"("data_offsets":[0,4000000000]}})", 16)).empty());
  EXPECT_FALSE(refusal(dir, safetensorsBytes(R"({"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}})", 16))
                   .empty());
}

TEST(HostileModel, OverlappingOrReversedOffsetsAreRefused) {
  TempDir dir;
  const std::string overlap = refusal(dir, safetensorsBytes(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                                                            R"("b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})", 24));
  EXPECT_NE(overlap.find("overlap"), std::string::npos) << overlap;
  EXPECT_FALSE(refusal(dir, safetensorsBytes(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[16,0]}})", 16)).empty());
  EXPECT_FALSE(refusal(dir, safetensorsBytes(R"({"a":{"dtype":"F32","shape":[1],)"
                                             R"("data_offsets":[18446744073709551612,18446744073709551616]}})", 4))
                   .empty());
}

TEST(HostileModel, EngineOpenNamesTheBadFile) {
  TempDir dir;
  const auto file = dir.write("lying.safetensors", safetensorsBytes(R"({"a":{"dtype":"F32","shape":[4],)"
                                                                    R"("data_offsets":[0,1600]}})", 16));
  auto engine = inference::Engine::open(file);
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.error().message.find("lying.safetensors"), std::string::npos) << engine.error().message;
}

// A valid PNG signature and IHDR claiming width x height, then nothing: a decoder that trusts it allocates first.
std::string pngHeaderOnly(std::uint32_t width, std::uint32_t height) {
  auto be32 = [](std::uint32_t v) {
    return std::string{char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  };
  std::string ihdr = "IHDR" + be32(width) + be32(height) + std::string{8, 2, 0, 0, 0};
  const auto crc = crc32(0, reinterpret_cast<const Bytef*>(ihdr.data()), static_cast<uInt>(ihdr.size()));
  return std::string("\x89PNG\r\n\x1a\n", 8) + be32(13) + ihdr + be32(static_cast<std::uint32_t>(crc));
}

TEST(HostileImage, AbsurdDimensionsAreRefusedBeforeDecoding) {
  TempDir dir;
  using Size = std::pair<std::uint32_t, std::uint32_t>;
  for (const auto& [width, height] : {Size{100000, 100000}, Size{2147483647, 1}, Size{65535, 65535}}) {
    const auto file = dir.write("huge.png", pngHeaderOnly(width, height));
    auto viaApp = app::loadImageFile(QString::fromStdString(file.string()));
    ASSERT_FALSE(viaApp.ok()) << width << "x" << height;
    EXPECT_FALSE(viaApp.error().message.empty());
    auto viaAssets = assets::loadImage(file);
    ASSERT_FALSE(viaAssets.ok()) << width << "x" << height;
    EXPECT_NE(viaAssets.error().message.find("huge.png"), std::string::npos) << viaAssets.error().message;
  }
}

TEST(HostileRequest, OutOfRangeSettingsAreRefusedWithAReason) {
  auto refusedFor = [](auto edit) {
    inference::GenerationRequest request;
    request.prompt = "a cat";
    edit(request);
    return inference::validateRequest(request);
  };
  EXPECT_NE(refusedFor([](auto& r) { r.prompt = std::string(100000, 'a'); }).find("prompt"), std::string::npos);
  EXPECT_NE(refusedFor([](auto& r) { r.negativePrompt = std::string(100000, 'b'); }).find("negative"),
            std::string::npos);
  EXPECT_NE(refusedFor([](auto& r) { r.steps = 0; }).find("Steps"), std::string::npos);
  EXPECT_NE(refusedFor([](auto& r) { r.cfgScale = std::nan(""); }).find("CFG"), std::string::npos);
  EXPECT_NE(refusedFor([](auto& r) { r.cfgScale = std::numeric_limits<double>::infinity(); }).find("CFG"),
            std::string::npos);
  EXPECT_NE(refusedFor([](auto& r) { r.width = 100; }).find("multiples of 8"), std::string::npos);
  EXPECT_NE(refusedFor([](auto& r) { r.height = -8; }).find("between"), std::string::npos);
  EXPECT_NE(refusedFor([](auto& r) { r.frames = 1 << 30; }).find("Frames"), std::string::npos);
  EXPECT_NE(refusedFor([](auto& r) { r.strength = std::nan(""); }).find("Strength"), std::string::npos);
  EXPECT_NE(refusedFor([](auto& r) { r.sampler = std::string(5000, 'x'); }).find("sampler"), std::string::npos);
  EXPECT_TRUE(refusedFor([](auto&) {}).empty());
  // img2img with a strength below one step (0.01 x 20 steps) once returned no image, and the CLI crashed on it.
  auto withInitImage = [](double strength) {
    return [strength](auto& r) {
      r.initImage = inference::Image{8, 8, std::vector<std::uint8_t>(8 * 8 * 3, 128)};
      r.steps = 20;
      r.strength = strength;
    };
  };
  EXPECT_NE(refusedFor(withInitImage(0.01)).find("at least 0.05"), std::string::npos) << refusedFor(withInitImage(0.01));
  EXPECT_TRUE(refusedFor(withInitImage(0.05)).empty());
}

TEST(HostileRequest, CliRefusesBadSettingsWithExitCode2) {
  TempDir dir;
  const auto tiny = makeTinyModel(dir.path());
  const std::string model = tiny.empty() ? "no-model" : tiny.string();  // refused before the model is read anyway
  const std::vector<std::vector<std::string>> cases = {
      {"--steps", "0"}, {"--cfg", "nan"}, {"--width", "100"}, {"--height", "0"},
      {"--prompt", std::string(100000, 'a')}, {"--sampler", "warp_drive"}};
  for (const auto& extra : cases) {
    std::vector<std::string> argv = {LANTERNA_CLI_PATH, "generate", "--model", model, "--out",
                                     (dir / "never.png").string()};
    if (extra.front() != "--prompt") argv.insert(argv.end(), {"--prompt", "a cat"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    ChildProcess cli(argv);
    EXPECT_EQ(cli.wait(), 2) << extra.front();
    EXPECT_FALSE(std::filesystem::exists(dir / "never.png")) << extra.front();
  }
}

class HostileGeneration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    folder_ = std::filesystem::temp_directory_path() / ("lanterna-hostile-" + std::to_string(getpid()));
    std::filesystem::create_directories(folder_);
    const auto model = makeTinyModel(folder_);
    if (model.empty()) return;
    auto opened = inference::Engine::open(model, inference::EngineOptions{inference::Device::Cpu});
    if (opened) engine_ = new inference::Engine(std::move(*opened));
    else openError_ = opened.error().message;
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
    std::filesystem::remove_all(folder_);
  }
  void SetUp() override {
    LANTERNA_REQUIRE_SHARED("conformance/manifest.json");
    ASSERT_NE(engine_, nullptr) << "the tiny model did not open: " << openError_;
  }
  static inline inference::Engine* engine_ = nullptr;
  static inline std::filesystem::path folder_;
  static inline std::string openError_;
};

TEST_F(HostileGeneration, RefusesBadSettingsBeforeAnyWork) {
  inference::GenerationRequest request;
  request.prompt = std::string(100000, 'z');
  inference::CancelToken cancel;
  auto output = engine_->generate(request, nullptr, cancel);
  ASSERT_FALSE(output.ok());
  EXPECT_EQ(output.error().kind, ErrorKind::InvalidArgument);
  request.prompt = "a cat";
  request.cfgScale = std::nan("");
  output = engine_->generate(request, nullptr, cancel);
  ASSERT_FALSE(output.ok());
  EXPECT_NE(output.error().message.find("CFG"), std::string::npos);
}

TEST_F(HostileGeneration, RefusesWhatCannotFitInMemoryInsteadOfBeingKilled) {
  inference::GenerationRequest request;
  request.prompt = "a cat";
  request.width = request.height = 4096;
  request.frames = 1;  // 4096² alone cannot fit (an image model refuses frames > 1 earlier, as not a video model)
  request.steps = 1;
  inference::CancelToken cancel;
  const auto start = std::chrono::steady_clock::now();
  auto output = engine_->generate(request, nullptr, cancel);
  ASSERT_FALSE(output.ok());
  EXPECT_EQ(output.error().kind, ErrorKind::OutOfMemory) << output.error().message;
  EXPECT_NE(output.error().message.find("available"), std::string::npos) << output.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << "refused only after working";
}

TEST_F(HostileGeneration, TinyRunStillFits) {
  inference::GenerationRequest request;
  request.prompt = "a cat";
  request.width = request.height = 64;
  request.steps = 2;
  inference::CancelToken cancel;
  auto output = engine_->generate(request, nullptr, cancel);
  ASSERT_TRUE(output.ok()) << output.error().message;
  EXPECT_EQ(output->frames.size(), 1u);
}

}  // namespace
}  // namespace lanterna::testing
