#include "lanterna/inference/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "test_paths.h"
#include "weights.h"

using namespace lanterna;
using namespace lanterna::inference;

namespace {

std::filesystem::path tempPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "lanterna_safetensors_test";
  std::filesystem::create_directories(dir);
  return dir / name;
}

void writeRaw(const std::filesystem::path& path, const std::string& header, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::uint64_t n = header.size();
  out.write(reinterpret_cast<const char*>(&n), 8);
  out << header << data;
}

}  // namespace

TEST(Safetensors, RoundTripsWrittenTensorsWithoutCopying) {
  const float values[6] = {1, 2, 3, 4, 5, 6};
  const auto path = tempPath("roundtrip.safetensors");
  ASSERT_TRUE(writeSafetensors(path, {{"a.weight", DType::F32, {2, 3}, values}}, {{"format", "pt"}}).ok());
  auto file = SafetensorsFile::open(path);
  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_EQ(file->tensors().size(), 1u);
  EXPECT_EQ(file->metadata().at("format"), "pt");
  const TensorInfo* info = file->find("a.weight");
  ASSERT_NE(info, nullptr);
  at::Tensor tensor = borrowTensor(*file, *info);
  EXPECT_EQ(tensor.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_FLOAT_EQ(tensor[1][2].item<float>(), 6.0f);
  EXPECT_EQ(static_cast<const void*>(tensor.data_ptr()), static_cast<const void*>(file->bytes(*info)));
}

TEST(Safetensors, RefusesMissingFileNamingIt) {
  auto file = SafetensorsFile::open(tempPath("nope.safetensors"));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().kind, ErrorKind::FileNotFound);
  EXPECT_NE(file.error().message.find("nope.safetensors"), std::string::npos);
}

TEST(Safetensors, RefusesPickleCheckpoints) {
  const auto path = tempPath("model.ckpt");
  std::ofstream(path, std::ios::binary) << "\x80\x02}q\x00.";
  auto file = SafetensorsFile::open(path);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().kind, ErrorKind::FeatureUnsupported);
  EXPECT_NE(file.error().message.find("safetensors"), std::string::npos);
  EXPECT_NE(file.error().message.find("model.ckpt"), std::string::npos);
}

TEST(Safetensors, RefusesTruncatedData) {
  const auto path = tempPath("truncated.safetensors");
  writeRaw(path, R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", std::string(8, '\0'));
  auto file = SafetensorsFile::open(path);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().kind, ErrorKind::Truncated);
  EXPECT_NE(file.error().message.find("truncated.safetensors"), std::string::npos);
}

TEST(Safetensors, RefusesOffsetsThatLieAboutTheShape) {
  const auto path = tempPath("lying.safetensors");
  writeRaw(path, R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}})", std::string(16, '\0'));
  auto file = SafetensorsFile::open(path);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().kind, ErrorKind::FormatIncorrect);
}

TEST(Safetensors, RefusesOverlappingTensors) {
  const auto path = tempPath("overlap.safetensors");
  writeRaw(path,
           R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
           std::string(16, '\0'));
  auto file = SafetensorsFile::open(path);
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("overlap"), std::string::npos);
}

TEST(Safetensors, RefusesUnknownDTypeByName) {
  const auto path = tempPath("f8.safetensors");
  writeRaw(path, R"({"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})", std::string(8, '\0'));
  auto file = SafetensorsFile::open(path);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().kind, ErrorKind::FeatureUnsupported);
  EXPECT_NE(file.error().message.find("F8_E4M3"), std::string::npos);
}

TEST(Safetensors, RefusesHugeHeaderClaim) {
  const auto path = tempPath("hugeheader.safetensors");
  std::ofstream out(path, std::ios::binary);
  std::uint64_t n = 1ull << 40;
  out.write(reinterpret_cast<const char*>(&n), 8);
  out << "{}";
  out.close();
  auto file = SafetensorsFile::open(path);
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("hugeheader.safetensors"), std::string::npos);
}

TEST(Safetensors, ReadsTheSharedSingleFileCheckpoint) {
  LANTERNA_REQUIRE_SHARED("conformance/sd15_single_file.safetensors");
  auto file = SafetensorsFile::open(lanterna::testing::conformanceDir() / "sd15_single_file.safetensors");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_NE(file->find("model.diffusion_model.input_blocks.0.0.weight"), nullptr);
}
