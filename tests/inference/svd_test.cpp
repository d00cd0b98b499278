// Stable Video Diffusion pieces: AlphaBlender and temporal convs, chunked temporal decoding, and loading a diffusers
// SVD folder (assembled from the shared tiny weights) through loadStableVideoDiffusion.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "spatio_temporal_res_block.h"
#include "test_paths.h"
#include "video_loader.h"

namespace lanterna::inference {
namespace {

nlohmann::json caseEntry(const std::string& name) {
  std::ifstream in(lanterna::testing::conformanceDir() / "manifest.json");
  const nlohmann::json manifest = nlohmann::json::parse(in);  // kept alive: the loop borrows from it
  for (const auto& e : manifest.at("cases"))
    if (e.value("name", "") == name) return e;
  return {};
}

at::Tensor ioTensor(const std::string& file, const std::string& name) {
  auto io = SafetensorsFile::open(lanterna::testing::conformanceDir() / file);
  if (!io) throw WeightsError(io.error().message);
  return Weights::load(*io).get(name).clone();
}

TEST(AlphaBlender, SigmoidOfMixFactorAndSwitchedOrder) {
  AlphaBlender blend{at::tensor({0.0f}), BlendOrder::SpatialFirst};
  at::Tensor s = at::full({2}, 4.0f), t = at::zeros({2});
  EXPECT_FLOAT_EQ(blend(s, t)[0].item<float>(), 2.0f);  // sigmoid(0) = 0.5
  blend.mixFactor = at::tensor({2.0f});
  const float alpha = 1.0f / (1.0f + std::exp(-2.0f));
  EXPECT_NEAR(blend(s, t)[0].item<float>(), 4.0f * alpha, 1e-6);
  blend.order = BlendOrder::Switched;
  EXPECT_NEAR(blend(s, t)[0].item<float>(), 4.0f * (1 - alpha), 1e-6);
}

TEST(TemporalConv, MixesOnlyNeighbouringFrames) {
  TemporalConv conv{at::randn({2, 2, 3, 1, 1}), at::zeros({2})};
  at::Tensor x = at::randn({1, 2, 5, 3, 3});
  at::Tensor y = conv(x);
  ASSERT_EQ(y.sizes(), x.sizes());
  at::Tensor x2 = x.clone();
  x2.select(2, 4).add_(1.0);  // last frame
  at::Tensor d = (conv(x2) - y).abs().amax({0, 1, 3, 4});
  EXPECT_EQ(d[0].item<float>(), 0.0f);
  EXPECT_EQ(d[2].item<float>(), 0.0f);
  EXPECT_GT(d[3].item<float>(), 0.0f);
}

class SvdFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    LANTERNA_REQUIRE_SHARED("conformance/svd_unet.weights.safetensors");
    const auto dir = lanterna::testing::conformanceDir();
    folder_ = std::filesystem::temp_directory_path() / ("lanterna_svd_" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder_);
    auto component = [&](const std::string& name, const std::string& weights, nlohmann::json config) {
      std::filesystem::create_directories(folder_ / name);
      std::filesystem::create_symlink(dir / weights, folder_ / name / "diffusion_pytorch_model.safetensors");
      std::ofstream(folder_ / name / "config.json") << config.dump();
    };
    component("unet", "svd_unet.weights.safetensors", caseEntry("svd_unet").at("config"));
    component("vae", "svd_vae.weights.safetensors", caseEntry("svd_vae_decode").at("config"));
    component("image_encoder", "clip_vision.weights.safetensors", caseEntry("clip_vision").at("config"));
    std::filesystem::create_directories(folder_ / "scheduler");
    std::ofstream(folder_ / "scheduler" / "scheduler_config.json") << caseEntry("sched_svd_euler_4").at("config").dump();
    std::ofstream(folder_ / "model_index.json") << R"({"_class_name": "StableVideoDiffusionPipeline"})";
  }
  void TearDown() override {
    if (!folder_.empty()) std::filesystem::remove_all(folder_);
  }
  std::filesystem::path folder_;
};

TEST_F(SvdFolder, LoadsAndReproducesTheReference) {
  c10::InferenceMode guard;
  auto svd = loadStableVideoDiffusion(folder_);
  ASSERT_TRUE(svd) << svd.error().message;
  EXPECT_EQ(svd->info.kind, ModelKind::SVD);
  EXPECT_EQ(svd->schedulerConfig.value("timestep_type", ""), "continuous");

  at::Tensor out = svd->unet->forward(ioTensor("svd_unet.io.safetensors", "in.sample"),
                                      ioTensor("svd_unet.io.safetensors", "in.timestep"),
                                      ioTensor("svd_unet.io.safetensors", "in.encoder_hidden_states"),
                                      ioTensor("svd_unet.io.safetensors", "in.added_time_ids"));
  EXPECT_TRUE(at::allclose(out, ioTensor("svd_unet.io.safetensors", "out.sample"), 1e-4, 1.36e-5));

  // Chunked decoding: one chunk of all frames is the reference; 3+3 differs (the temporal layers see less) but
  // keeps shape, as the pipeline's decode_chunk_size does.
  at::Tensor latent = ioTensor("svd_vae_decode.io.safetensors", "in.latent");
  at::Tensor whole = svd->vae->decode(latent, 6, 6);
  EXPECT_TRUE(at::allclose(whole, ioTensor("svd_vae_decode.io.safetensors", "out.sample"), 1e-4, 1.5e-5));
  at::Tensor chunked = svd->vae->decode(latent, 6, 3);
  EXPECT_EQ(chunked.sizes(), whole.sizes());
  EXPECT_FALSE(at::allclose(chunked, whole));
  EXPECT_THROW(svd->vae->decode(latent, 4), WeightsError);  // 6 latents are not clips of 4 frames
}

TEST_F(SvdFolder, MissingImageEncoderIsAnErrorNamingIt) {
  std::filesystem::remove_all(folder_ / "image_encoder");
  auto svd = loadStableVideoDiffusion(folder_);
  ASSERT_FALSE(svd);
  EXPECT_NE(svd.error().message.find("image_encoder"), std::string::npos) << svd.error().message;
}

}  // namespace
}  // namespace lanterna::inference
