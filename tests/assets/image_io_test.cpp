#include "lanterna/assets/image_io.h"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>

#include "media_fixtures.h"

namespace lanterna::assets {
namespace {

using testing::expectError;

class ImageIoTest : public testing::TempDirTest {
 protected:
  // 64x48, top half white and bottom half black, with a red alpha-128 top-left pixel (BGRA order for OpenCV).
  cv::Mat sample() const {
    cv::Mat image(48, 64, CV_8UC4, cv::Scalar(0, 0, 0, 255));
    image(cv::Rect(0, 0, 64, 24)).setTo(cv::Scalar(255, 255, 255, 255));
    image.at<cv::Vec4b>(0, 0) = cv::Vec4b(0, 0, 255, 128);
    return image;
  }
};

TEST_F(ImageIoTest, PngKeepsAlphaAndPixels) {
  ASSERT_TRUE(cv::imwrite(path("a.png").string(), sample()));
  auto frame = loadImage(path("a.png"));
  ASSERT_TRUE(frame) << frame.error().message;
  EXPECT_EQ(frame->width, 64);
  EXPECT_EQ(frame->height, 48);
  EXPECT_EQ(frame->format, PixelFormat::Rgba8);
  const auto* px = frame->row<std::uint8_t>(0);
  EXPECT_EQ(px[0], 255);  // red, now in RGBA order
  EXPECT_EQ(px[2], 0);
  EXPECT_EQ(px[3], 128);
  EXPECT_EQ(frame->row<std::uint8_t>(47)[4 * 10], 0);
}

TEST_F(ImageIoTest, SixteenBitIsKeptOrConvertedOnRequest) {
  cv::Mat deep(8, 8, CV_16UC3, cv::Scalar(1000, 30000, 65535));
  ASSERT_TRUE(cv::imwrite(path("deep.png").string(), deep));
  auto kept = loadImage(path("deep.png"));
  ASSERT_TRUE(kept) << kept.error().message;
  ASSERT_EQ(kept->format, PixelFormat::Rgba16);
  EXPECT_EQ(kept->row<std::uint16_t>(0)[0], 65535);  // R (was B in OpenCV order)
  EXPECT_EQ(kept->row<std::uint16_t>(0)[2], 1000);
  EXPECT_EQ(kept->row<std::uint16_t>(0)[3], 65535);
  auto eight = loadImage(path("deep.png"), {.bitDepth = BitDepth::To8});
  ASSERT_TRUE(eight);
  EXPECT_EQ(eight->format, PixelFormat::Rgba8);
  EXPECT_EQ(eight->row<std::uint8_t>(0)[1], 117);  // 30000 * 255 / 65535
}

TEST_F(ImageIoTest, JpegWebpTiffLoad) {
  for (const char* name : {"a.jpg", "a.webp", "a.tiff"}) {
    ASSERT_TRUE(cv::imwrite(path(name).string(), sample())) << name;
    auto frame = loadImage(path(name));
    ASSERT_TRUE(frame) << frame.error().message;
    EXPECT_EQ(frame->width, 64) << name;
    EXPECT_EQ(frame->height, 48) << name;
    EXPECT_GT(frame->row<std::uint8_t>(10)[4 * 30], 240) << name;  // white top half
    EXPECT_LT(frame->row<std::uint8_t>(40)[4 * 30], 15) << name;   // black bottom half
  }
}

TEST_F(ImageIoTest, ExifOrientationIsApplied) {
  ASSERT_TRUE(cv::imwrite(path("plain.jpg").string(), sample()));
  auto bytes = testing::readBytes(path("plain.jpg"));
  // APP1 "Exif" with a little-endian TIFF IFD0 holding Orientation = 6 (rotate 90 degrees clockwise).
  const std::vector<std::uint8_t> app1 = {0xFF, 0xE1, 0x00, 34, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0,
                                          1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0};
  bytes.insert(bytes.begin() + 2, app1.begin(), app1.end());
  testing::writeBytes(path("rotated.jpg"), bytes);
  auto frame = loadImage(path("rotated.jpg"));
  ASSERT_TRUE(frame) << frame.error().message;
  EXPECT_EQ(frame->width, 48);
  EXPECT_EQ(frame->height, 64);
  // The white top half is now the right half.
  EXPECT_GT(frame->row<std::uint8_t>(32)[4 * 40], 240);
  EXPECT_LT(frame->row<std::uint8_t>(32)[4 * 5], 15);
}

TEST_F(ImageIoTest, AbsurdHeaderIsRefusedBeforeDecoding) {
  ASSERT_TRUE(cv::imwrite(path("ok.png").string(), sample()));
  auto bytes = testing::readBytes(path("ok.png"));
  for (int at : {16, 20}) {  // IHDR width, height = 100000
    bytes[at] = 0; bytes[at + 1] = 0x01; bytes[at + 2] = 0x86; bytes[at + 3] = 0xA0;
  }
  testing::writeBytes(path("huge.png"), bytes);
  auto frame = loadImage(path("huge.png"));
  ASSERT_FALSE(frame);
  expectError(frame.error(), ErrorKind::FormatIncorrect, "huge.png");
  EXPECT_NE(frame.error().message.find("100000x100000"), std::string::npos);
}

TEST_F(ImageIoTest, BadFileSet) {
  expectError(loadImage(path("missing.png")).error(), ErrorKind::FileNotFound, "missing.png");

  testing::writeBytes(path("notes.png"), {'h', 'e', 'l', 'l', 'o', '\n'});
  expectError(loadImage(path("notes.png")).error(), ErrorKind::FormatIncorrect, "notes.png");

  testing::writeBytes(path("empty.jpg"), {});
  expectError(loadImage(path("empty.jpg")).error(), ErrorKind::Truncated, "empty.jpg");

  for (const char* name : {"cut.png", "cut.jpg", "cut.webp", "cut.tiff"}) {
    ASSERT_TRUE(cv::imwrite(path(name).string(), sample()));
    testing::truncateTo(path(name), 0.6);
    auto frame = loadImage(path(name));
    ASSERT_FALSE(frame) << name;
    expectError(frame.error(), ErrorKind::Truncated, name);
  }

  testing::writeBytes(path("anim.gif"), {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0, ';'});
  expectError(loadImage(path("anim.gif")).error(), ErrorKind::FeatureUnsupported, "anim.gif");
}

TEST_F(ImageIoTest, UnreadableFileIsRefused) {
  ASSERT_TRUE(cv::imwrite(path("locked.png").string(), sample()));
  std::filesystem::permissions(path("locked.png"), std::filesystem::perms::none);
  if (testing::canReadDespiteChmod(path("locked.png"))) GTEST_SKIP() << "running as root: chmod 000 cannot block reads";
  expectError(loadImage(path("locked.png")).error(), ErrorKind::NoReadAccess, "locked.png");
}

TEST_F(ImageIoTest, SavedPngRoundTripsPixelsAndText) {
  const Frame frame = testing::gradientFrame(32, 16);
  const PngTextChunks text = {{"parameters", "a cat, 30 steps, seed 7"}, {"Comment", "caf\xC3\xA9 \xE2\x9C\x93"}};
  ASSERT_TRUE(saveImage(frame, path("out.png"), text));
  EXPECT_FALSE(std::filesystem::exists(path(".out.lanterna-partial.png")));
  auto loaded = loadImage(path("out.png"));
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->data, frame.data);
  auto read = readPngText(path("out.png"));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, text);
}

TEST_F(ImageIoTest, SixteenBitSaveKeepsDepth) {
  Frame deep = Frame::allocate(4, 4, PixelFormat::Rgba16);
  for (int i = 0; i < 16 * 4; ++i) reinterpret_cast<std::uint16_t*>(deep.data.data())[i] = std::uint16_t(i * 1000 + 7);
  ASSERT_TRUE(saveImage(deep, path("deep.png")));
  auto loaded = loadImage(path("deep.png"));
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->format, PixelFormat::Rgba16);
  EXPECT_EQ(loaded->data, deep.data);
}

TEST_F(ImageIoTest, PngTextBadFiles) {
  expectError(readPngText(path("none.png")).error(), ErrorKind::FileNotFound, "none.png");
  testing::writeBytes(path("text.png"), {'n', 'o', 'p', 'e', 0, 0, 0, 0, 0});
  expectError(readPngText(path("text.png")).error(), ErrorKind::FormatIncorrect, "text.png");
  ASSERT_TRUE(saveImage(testing::gradientFrame(8, 8), path("t.png"), {{"k", "v"}}));
  testing::truncateTo(path("t.png"), 0.5);
  expectError(readPngText(path("t.png")).error(), ErrorKind::Truncated, "t.png");
  EXPECT_FALSE(saveImage(testing::gradientFrame(8, 8), path("bad.png"), {{"", "v"}}));
}

}  // namespace
}  // namespace lanterna::assets
