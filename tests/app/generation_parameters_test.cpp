#include "lanterna/app/generation_parameters.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QImage>
#include <QTemporaryDir>

using namespace lanterna;
using namespace lanterna::app;

TEST(GenerationParameters, RoundTripsEverySettingLanternaWrites) {
  inference::GenerationRequest request;
  request.prompt = "a big red circle, at the top left";
  request.negativePrompt = "blurry\nlow quality";
  request.sampler = "dpmpp_2m_karras";
  request.steps = 23;
  request.cfgScale = 6.5;
  request.seed = 18446744073709551557ull;
  request.width = 640;
  request.height = 384;
  request.clipSkip = 2;
  request.frames = 16;
  request.fps = 12;
  request.motionAmount = 0.25;
  const QString text = formatParameters(request, "toy, world", "abcdef0123");
  auto parsed = parseParameters(text);
  ASSERT_TRUE(parsed.has_value()) << text.toStdString();
  EXPECT_EQ(parsed->request.prompt, request.prompt);
  EXPECT_EQ(parsed->request.negativePrompt, request.negativePrompt);
  EXPECT_EQ(parsed->request.sampler, "dpmpp_2m_karras");
  EXPECT_EQ(parsed->request.steps, 23);
  EXPECT_DOUBLE_EQ(parsed->request.cfgScale, 6.5);
  EXPECT_EQ(parsed->request.seed, request.seed);
  EXPECT_EQ(parsed->request.width, 640);
  EXPECT_EQ(parsed->request.height, 384);
  EXPECT_EQ(parsed->request.clipSkip, 2);
  EXPECT_EQ(parsed->request.frames, 16);
  EXPECT_DOUBLE_EQ(parsed->request.fps, 12);
  EXPECT_EQ(parsed->modelName, "toy, world");
  EXPECT_EQ(parsed->modelHash, "abcdef0123");
}

TEST(GenerationParameters, ReadsA1111Text) {
  const QString text =
      "masterpiece, (old photo:1.2) of a harbour\n"
      "Negative prompt: lowres, bad anatomy\n"
      "Steps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 1234567, Size: 512x768, "
      "Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Denoising strength: 0.4, Clip skip: 2, "
      "Lora hashes: \"detail: 0123, film: 4567\", Version: v1.7.0";
  auto parsed = parseParameters(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->request.prompt, "masterpiece, (old photo:1.2) of a harbour");
  EXPECT_EQ(parsed->request.negativePrompt, "lowres, bad anatomy");
  EXPECT_EQ(parsed->request.sampler, "dpmpp_2m_karras");
  EXPECT_EQ(parsed->request.steps, 30);
  EXPECT_EQ(parsed->request.seed, 1234567u);
  EXPECT_EQ(parsed->request.height, 768);
  EXPECT_DOUBLE_EQ(parsed->request.strength, 0.4);
  EXPECT_EQ(parsed->fields.at("Lora hashes"), "detail: 0123, film: 4567");
  EXPECT_EQ(parsed->modelHash, "6ce0161689");
}

TEST(GenerationParameters, RefusesTextWithoutSettings) {
  EXPECT_FALSE(parseParameters("just a caption").has_value());
  EXPECT_FALSE(parseParameters("").has_value());
  EXPECT_FALSE(parseParameters("Steps: many").has_value());
}

TEST(GenerationParameters, SurvivesAPngRoundTrip) {
  QTemporaryDir dir;
  inference::GenerationRequest request;
  request.prompt = "on white, a small blue square moving right";
  request.seed = 42;
  QImage image(16, 16, QImage::Format_RGB888);
  image.fill(Qt::blue);
  image.setText("parameters", formatParameters(request, "toyworld", ""));
  const QString path = dir.filePath("out.png");
  ASSERT_TRUE(image.save(path, "PNG"));
  auto parsed = readParametersFromPng(path);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->request.prompt, request.prompt);
  EXPECT_EQ(parsed->request.seed, 42u);
  EXPECT_EQ(parsed->modelName, "toyworld");
  EXPECT_FALSE(readParametersFromPng(dir.filePath("missing.png")).has_value());
}
