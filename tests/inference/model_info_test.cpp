// inspectModel (architecture detection, both layouts) and the SD loader's bad-file set: truncated, lying header,
// wrong shapes, missing tensors, pickle. Each is one clear error naming the file, never a crash.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lanterna/inference/model_info.h"
#include "sd_loader.h"
#include "test_paths.h"

namespace lanterna::inference {
namespace {

namespace fs = std::filesystem;

class ModelInfoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lanterna_model_info_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Zero-filled F16 tensors: detection reads names and shapes only.
  fs::path writeFake(const std::string& name, const std::vector<std::pair<std::string, std::vector<int64_t>>>& specs,
                     const std::map<std::string, std::string>& metadata = {}) {
    static const std::vector<char> zeros(1 << 16);
    std::vector<TensorToWrite> tensors;
    for (const auto& [tensorName, shape] : specs) tensors.push_back({tensorName, DType::F16, shape, zeros.data()});
    const fs::path path = dir_ / name;
    auto status = writeSafetensors(path, tensors, metadata);
    EXPECT_TRUE(status) << status.error().message;
    return path;
  }

  // The shared single file rewritten with `edit` applied to its tensor list.
  template <class Edit>
  fs::path rewriteShared(const std::string& name, Edit edit) {
    auto file = SafetensorsFile::open(lanterna::testing::conformanceDir() / "sd15_single_file.safetensors");
    EXPECT_TRUE(file);
    std::vector<TensorToWrite> tensors;
    for (const auto& t : file->tensors()) tensors.push_back({t.name, t.dtype, t.shape, file->bytes(t)});
    edit(tensors);
    const fs::path path = dir_ / name;
    EXPECT_TRUE(writeSafetensors(path, tensors));
    return path;
  }

  static LoadOptions tinyOptions() {
    std::ifstream in(lanterna::testing::conformanceDir() / "manifest.json");
    const auto manifest = nlohmann::json::parse(in);
    LoadOptions options;
    for (const auto& entry : manifest["cases"])
      if (entry["name"] == "single_file_sd15") options.overrides = entry["config"];
    return options;
  }

  fs::path dir_;
};

TEST_F(ModelInfoTest, RecognisesSingleFileArchitectures) {
  const std::string unet = "model.diffusion_model.";
  auto sd1 = inspectModel(writeFake("sd1.safetensors", {{unet + "input_blocks.0.0.weight", {8, 4, 3, 3}},
                                                        {unet + "middle_block.1.transformer_blocks.0.attn2.to_k.weight",
                                                         {8, 768}},
                                                        {"first_stage_model.decoder.conv_in.weight", {8, 4, 3, 3}},
                                                        {"cond_stage_model.transformer.text_model.x", {1}}}));
  ASSERT_TRUE(sd1) << sd1.error().message;
  EXPECT_EQ(sd1->kind, ModelKind::SD1);
  EXPECT_TRUE(sd1->usable) << sd1->reason;
  EXPECT_EQ(sd1->dtype, "F16");
  EXPECT_EQ(sd1->components, (std::vector<std::string>{"unet", "vae", "text_encoder"}));

  auto sd2v = inspectModel(writeFake("sd21-768-v.safetensors",
                                     {{unet + "input_blocks.0.0.weight", {8, 4, 3, 3}},
                                      {unet + "x.attn2.to_k.weight", {8, 1024}},
                                      {"first_stage_model.decoder.conv_in.weight", {8, 4, 3, 3}},
                                      {"cond_stage_model.model.token_embedding.weight", {4, 8}}}));
  ASSERT_TRUE(sd2v);
  EXPECT_EQ(sd2v->kind, ModelKind::SD2VPrediction);
  EXPECT_EQ(sd2v->predictionType, "v_prediction");

  auto xl = inspectModel(writeFake("xl.safetensors", {{"conditioner.embedders.0.x", {1}}, {unet + "y", {1}}}));
  ASSERT_TRUE(xl);
  EXPECT_EQ(xl->kind, ModelKind::SDXL);
  EXPECT_FALSE(xl->usable);
  EXPECT_NE(xl->reason.find("SDXL is not supported yet"), std::string::npos);

  const std::pair<const char*, ModelKind> singles[] = {
      {"decoder.layers.0.weight", ModelKind::TinyVae},
      {"down_blocks.0.motion_modules.0.proj_in.weight", ModelKind::MotionModule},
      {"text_model.embeddings.token_embedding.weight", ModelKind::ClipText},
      {"something.else", ModelKind::Unknown}};
  for (const auto& [tensor, kind] : singles) {
    auto info = inspectModel(writeFake("one.safetensors", {{tensor, {2, 2}}}));
    ASSERT_TRUE(info);
    EXPECT_EQ(info->kind, kind) << tensor;
    EXPECT_EQ(info->usable, kind != ModelKind::Unknown) << tensor;
  }
}

TEST_F(ModelInfoTest, PickleIsRecognisedButNeverUsable) {
  const fs::path path = dir_ / "old_model.ckpt";
  std::ofstream(path) << "PK\x03\x04 not really a zip";
  auto info = inspectModel(path);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->layout, ModelLayout::Pickle);
  EXPECT_FALSE(info->usable);
  EXPECT_NE(info->reason.find("pickle checkpoint: convert to safetensors"), std::string::npos);
  auto loaded = loadStableDiffusion(path);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().kind, ErrorKind::FeatureUnsupported);
  EXPECT_NE(loaded.error().message.find("old_model.ckpt"), std::string::npos);
}

TEST_F(ModelInfoTest, MissingPathIsFileNotFound) {
  auto info = inspectModel(dir_ / "nope.safetensors");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind, ErrorKind::FileNotFound);
}

TEST_F(ModelInfoTest, TruncatedAndLyingFilesAreErrors) {
  LANTERNA_REQUIRE_SHARED("conformance/sd15_single_file.safetensors");
  const fs::path full = rewriteShared("full.safetensors", [](auto&) {});
  const fs::path truncated = dir_ / "truncated.safetensors";
  fs::copy_file(full, truncated);
  fs::resize_file(truncated, fs::file_size(full) / 2);
  auto info = inspectModel(truncated);
  ASSERT_FALSE(info);
  EXPECT_NE(info.error().message.find("truncated.safetensors"), std::string::npos) << info.error().message;
  EXPECT_FALSE(loadStableDiffusion(truncated));

  // A header whose offsets point past the end of the data.
  const fs::path lying = dir_ / "lying.safetensors";
  const std::string header = R"({"conv_in.weight":{"dtype":"F32","shape":[4],"data_offsets":[0,1600]}})";
  std::ofstream out(lying, std::ios::binary);
  const uint64_t size = header.size();
  out.write(reinterpret_cast<const char*>(&size), 8);
  out << header << std::string(16, '\0');
  out.close();
  auto lied = inspectModel(lying);
  ASSERT_FALSE(lied);
  EXPECT_NE(lied.error().message.find("lying.safetensors"), std::string::npos) << lied.error().message;
}

TEST_F(ModelInfoTest, WrongShapesAndMissingTensorsFailToLoadWithTheirNames) {
  LANTERNA_REQUIRE_SHARED("conformance/sd15_single_file.safetensors");
  const fs::path reshaped = rewriteShared("reshaped.safetensors", [](std::vector<TensorToWrite>& tensors) {
    for (auto& t : tensors)
      if (t.name == "model.diffusion_model.input_blocks.0.0.weight") t.shape = {16, 4, 9, 1};
  });
  auto wrong = loadStableDiffusion(reshaped, tinyOptions());
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, ErrorKind::FormatIncorrect);
  EXPECT_NE(wrong.error().message.find("conv_in.weight"), std::string::npos) << wrong.error().message;
  EXPECT_NE(wrong.error().message.find("reshaped.safetensors"), std::string::npos);

  const fs::path missing = rewriteShared("missing.safetensors", [](std::vector<TensorToWrite>& tensors) {
    std::erase_if(tensors, [](const TensorToWrite& t) { return t.name.find("decoder.mid.attn_1.q.weight") != std::string::npos; });
  });
  auto absent = loadStableDiffusion(missing, tinyOptions());
  ASSERT_FALSE(absent);
  EXPECT_NE(absent.error().message.find("decoder.mid_block.attentions.0.to_q.weight"), std::string::npos)
      << absent.error().message;
}

TEST_F(ModelInfoTest, DiffusersFolderLoadsLikeTheSingleFile) {
  LANTERNA_REQUIRE_SHARED("conformance/sd15_single_file.safetensors");
  const LoadOptions options = tinyOptions();
  const fs::path shared = lanterna::testing::conformanceDir();
  const fs::path folder = dir_ / "tiny-sd15";
  auto component = [&](const std::string& name, const std::string& weights, const std::string& file,
                       const nlohmann::json& config) {
    fs::create_directories(folder / name);
    fs::create_symlink(shared / weights, folder / name / file);
    std::ofstream(folder / name / "config.json") << config.dump();
  };
  fs::create_directories(folder / "tokenizer");
  fs::create_directories(folder / "scheduler");
  std::ofstream(folder / "model_index.json") << R"({"_class_name": "StableDiffusionPipeline"})";
  std::ofstream(folder / "scheduler" / "scheduler_config.json") << R"({"prediction_type": "epsilon"})";
  component("unet", "unet_sd15.weights.safetensors", "diffusion_pytorch_model.safetensors", options.overrides["unet"]);
  component("vae", "vae.weights.safetensors", "diffusion_pytorch_model.safetensors", options.overrides["vae"]);
  component("text_encoder", "clip_text.weights.safetensors", "model.safetensors", options.overrides["text_encoder"]);

  auto info = inspectModel(folder);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->kind, ModelKind::SD1);
  EXPECT_TRUE(info->usable) << info->reason;
  EXPECT_EQ(info->layout, ModelLayout::DiffusersFolder);
  EXPECT_EQ(info->dtype, "F32");

  auto fromFolder = loadStableDiffusion(folder);
  ASSERT_TRUE(fromFolder) << fromFolder.error().message;
  auto fromFile = loadStableDiffusion(shared / "sd15_single_file.safetensors", options);
  ASSERT_TRUE(fromFile) << fromFile.error().message;
  EXPECT_EQ(fromFile->textEncoderConfig["num_hidden_layers"], 3);
  EXPECT_EQ(fromFile->textEncoderConfig["intermediate_size"], 128);
  EXPECT_EQ(fromFolder->textEncoder.all().size(), fromFile->textEncoder.all().size());

  at::manual_seed(8);
  at::Tensor sample = at::randn({1, 4, 8, 8}), context = at::randn({1, 77, 32});
  EXPECT_TRUE(at::equal(fromFolder->unet->forward(sample, at::tensor(5), context),
                        fromFile->unet->forward(sample, at::tensor(5), context)));
  EXPECT_TRUE(at::equal(fromFolder->vae->decode(sample), fromFile->vae->decode(sample)));
}

}  // namespace
}  // namespace lanterna::inference
