// `lanterna-cli animate` and `generate --frames` as a process, as a script would run them: the clip they write is
// decoded back and must have the asked frame count, size and rate; AnimateDiff's first frame is the photo.
// AnimateDiff runs on a temp copy of the bundled toyworld model with an identity motion adapter added in the
// diffusers AnimateDiffPipeline layout; SVD on a tiny folder made from the shared conformance weights.
#include <QImage>
#include <QPainter>
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

#include "cli_run.h"
#include "lanterna/app/generation_parameters.h"
#include "lanterna/app/image_convert.h"
#include "lanterna/assets/media_probe.h"
#include "lanterna/assets/video_decoder.h"
#include "temp_dir.h"
#include "video_test_models.h"

using namespace lanterna;
using lanterna::testing::q;
using lanterna::testing::runCli;
using lanterna::testing::TempDir;

namespace {

const std::filesystem::path kToyworld = lanterna::testing::sourceDir() / "resources/models/toyworld";

// The toyworld model's components, plus a motion_adapter/ listed in model_index.json (AnimateDiffPipeline layout).
std::filesystem::path toyworldWithMotion(const std::filesystem::path& root, bool withAdapter) {
  const auto model = root / "toyworld_video";
  std::filesystem::create_directories(model);
  for (const char* component : {"unet", "vae", "text_encoder", "tokenizer", "scheduler"})
    std::filesystem::create_directory_symlink(kToyworld / component, model / component);
  std::ifstream in(kToyworld / "model_index.json");
  nlohmann::json index = nlohmann::json::parse(in);
  if (withAdapter) {
    index["_class_name"] = "AnimateDiffPipeline";
    index["motion_adapter"] = {"diffusers", "MotionAdapter"};
    std::ifstream unetIn(kToyworld / "unet" / "config.json");
    const nlohmann::json unet = nlohmann::json::parse(unetIn);
    lanterna::testing::writeIdentityMotionAdapter(model / "motion_adapter",
                                                  unet.at("block_out_channels").get<std::vector<int64_t>>(),
                                                  unet.at("layers_per_block").get<int64_t>());
  }
  std::ofstream(model / "model_index.json") << index.dump(2);
  return model;
}

// A toy-world-like photo: a flat background and a soft-edged disc.
std::filesystem::path writePhoto(const std::filesystem::path& path, int width, int height) {
  QImage image(width, height, QImage::Format_RGB888);
  image.fill(QColor(70, 110, 160));
  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setBrush(QColor(220, 60, 50));
  painter.setPen(Qt::NoPen);
  painter.drawEllipse(QPointF(width * 0.45, height * 0.55), width * 0.2, height * 0.2);
  painter.end();
  EXPECT_TRUE(image.save(QString::fromStdString(path.string())));
  return path;
}

inference::Image rgbOf(const assets::Frame& frame) {
  inference::Image image{frame.width, frame.height, std::vector<std::uint8_t>(size_t(frame.width) * frame.height * 3)};
  for (int y = 0; y < frame.height; ++y)
    for (int x = 0; x < frame.width; ++x)
      for (int c = 0; c < 3; ++c)
        image.rgb[(size_t(y) * frame.width + x) * 3 + c] = frame.row<std::uint8_t>(y)[4 * x + c];
  return image;
}

struct DecodedClip {
  std::int64_t frames = 0;
  int width = 0, height = 0;
  double fps = 0.0;
  inference::Image first;
};

DecodedClip decodeClip(const std::filesystem::path& path) {
  DecodedClip clip;
  auto probed = assets::probeMedia(path, assets::FrameCounting::CountPackets);
  EXPECT_TRUE(probed) << (probed ? "" : probed.error().message);
  if (!probed || !probed->video()) return clip;
  clip.frames = probed->video()->frameCount;
  clip.fps = probed->video()->frameRate.value();
  auto decoder = assets::VideoDecoder::open(path);
  EXPECT_TRUE(decoder);
  if (!decoder) return clip;
  clip.width = decoder->width();
  clip.height = decoder->height();
  auto first = decoder->frameAt(0);
  EXPECT_TRUE(first);
  if (first) clip.first = rgbOf(*first);
  return clip;
}

}  // namespace

TEST(AnimateCli, AnimateDiffPinsThePhotoAsTheFirstFrame) {
  TempDir dir;
  const auto model = toyworldWithMotion(dir.path(), true);
  const auto photo = writePhoto(dir / "photo.png", 64, 64);
  const auto out = dir / "clip.mp4";
  // Small and short: the CI machine is shared (the model's native 128x128 takes minutes there).
  const auto run = runCli({"animate", "--model", q(model), "--image", q(photo), "--prompt", "a red circle",
                           "--frames", "5", "--fps", "10", "--seed", "4", "--steps", "2", "--width", "64",
                           "--height", "64", "--out", q(out)});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  const DecodedClip clip = decodeClip(out);
  EXPECT_EQ(clip.frames, 5);
  EXPECT_EQ(clip.width, 64);
  EXPECT_EQ(clip.height, 64);
  EXPECT_NEAR(clip.fps, 10.0, 1e-6);
  auto photoPixels = app::loadImageFile(q(photo));
  ASSERT_TRUE(photoPixels);
  ASSERT_EQ(clip.first.rgb.size(), photoPixels->rgb.size());

  // What the reference pipeline's first frame would be: the model's own VAE rendering of the photo, here from
  // image-to-image with the least strength (one step at the lowest noise level).
  const auto rendered = dir / "rendered.png";
  const auto img2img = runCli({"generate", "--model", q(model), "--prompt", "a red circle", "--init-image", q(photo),
                               "--strength", "0.01", "--steps", "100", "--width", "64", "--height", "64", "--seed",
                               "1", "--out", q(rendered)});
  ASSERT_EQ(img2img.exitCode, 0) << img2img.err;
  auto reference = app::loadImageFile(q(rendered));
  ASSERT_TRUE(reference);
  const double vsReference = lanterna::testing::psnr(clip.first, *reference);
  const double vsPhoto = lanterna::testing::psnr(clip.first, *photoPixels);
  const double referenceVsPhoto = lanterna::testing::psnr(*reference, *photoPixels);
  std::cout << "first frame vs the VAE's rendering " << vsReference << " dB, vs the photo " << vsPhoto
            << " dB (the VAE's own rendering vs the photo: " << referenceVsPhoto << " dB)\n";
  EXPECT_GE(vsReference, 25.0);
  // As close to the photo as the model's VAE gets (the preliminary toyworld VAE reconstructs at ~16 dB).
  EXPECT_GE(vsPhoto, std::min(25.0, referenceVsPhoto - 1.0));
}

TEST(AnimateCli, GenerateWithFramesWritesATextToVideoClip) {
  TempDir dir;
  const auto model = toyworldWithMotion(dir.path(), true);
  const auto out = dir / "t2v.mp4";
  const auto run = runCli({"generate", "--model", q(model), "--prompt", "a blue square", "--frames", "6", "--fps",
                           "12", "--steps", "2", "--seed", "2", "--width", "64", "--height", "48", "--out", q(out)});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  const DecodedClip clip = decodeClip(out);
  EXPECT_EQ(clip.frames, 6);
  EXPECT_EQ(clip.width, 64);
  EXPECT_EQ(clip.height, 48);
  EXPECT_NEAR(clip.fps, 12.0, 1e-6);
}

TEST(AnimateCli, AnImageModelAskedForAClipSaysWhatToAdd) {
  TempDir dir;
  const auto model = toyworldWithMotion(dir.path(), false);
  const auto run = runCli({"generate", "--model", q(model), "--prompt", "a blue square", "--frames", "6", "--out",
                           q(dir / "x.mp4")});
  EXPECT_EQ(run.exitCode, 2);
  EXPECT_NE(run.err.find("motion module"), std::string::npos) << run.err;
  const auto photo = writePhoto(dir / "photo.png", 64, 64);
  const auto animate = runCli({"animate", "--model", q(model), "--image", q(photo), "--out", q(dir / "y.mp4")});
  EXPECT_EQ(animate.exitCode, 2);
  EXPECT_NE(animate.err.find("cannot animate"), std::string::npos) << animate.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "y.mp4"));
}

TEST(AnimateCli, StableVideoDiffusionWritesTheAskedClip) {
  LANTERNA_REQUIRE_SHARED("conformance/svd_unet.weights.safetensors");
  const auto svd = lanterna::testing::TinyModelFolder::stableVideoDiffusion("svd_cli");
  TempDir dir;
  const auto photo = writePhoto(dir / "old photo.png", 48, 40);  // cropped and scaled to 32x32
  const auto out = dir / "svd.mp4";
  const auto run = runCli({"animate", "--model", q(svd.path()), "--image", q(photo), "--frames", "6", "--fps", "7",
                           "--motion", "0.8", "--steps", "2", "--seed", "1", "--out", q(out)});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  const DecodedClip clip = decodeClip(out);
  EXPECT_EQ(clip.frames, 6);
  EXPECT_EQ(clip.width, 32);
  EXPECT_EQ(clip.height, 32);
  EXPECT_NEAR(clip.fps, 7.0, 1e-6);
}

// toyworld's model_index.json recommends guidance 2 (its best held-out score): generate uses it unless --cfg is given,
// and the PNG's parameters say what was used.
TEST(AnimateCli, GenerateUsesTheModelsRecommendedGuidanceUnlessOneIsGiven) {
  TempDir dir;
  auto cfgOf = [&](const QStringList& extra) {
    const auto out = dir / "image.png";
    QStringList args{"generate", "--model", q(kToyworld), "--prompt", "a red circle at the top left",
                     "--steps", "2", "--seed", "1", "--out", q(out)};
    args += extra;
    const auto run = runCli(args);
    EXPECT_EQ(run.exitCode, 0) << run.err;
    const QImage image(QString::fromStdString(out.string()));
    auto parsed = app::parseParameters(image.text("parameters"));
    return parsed ? parsed->request.cfgScale : -1.0;
  };
  std::ifstream in(kToyworld / "model_index.json");
  const double recommended = nlohmann::json::parse(in).at("_lanterna_defaults").at("guidance_scale").get<double>();
  EXPECT_EQ(cfgOf({}), recommended);
  EXPECT_EQ(cfgOf({"--cfg", "6.5"}), 6.5);
}
