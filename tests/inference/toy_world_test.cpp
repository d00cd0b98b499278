#include "toy_world.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

using namespace lanterna::toy;

namespace {

bool sameRgb(Rgb a, Rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

Rgb pixelAt(const Image& image, float x, float y) { return image.at(static_cast<int>(x), static_cast<int>(y)); }

std::set<std::string> wordsOf(const std::string& caption) {
  std::string cleaned = caption;
  std::replace(cleaned.begin(), cleaned.end(), ',', ' ');
  std::istringstream in(cleaned);
  std::set<std::string> words;
  for (std::string word; in >> word;) words.insert(word);
  return words;
}

}  // namespace

TEST(ToyWorld, SameSeedAndIndexGiveTheSameSample) {
  const ToyWorld a(7), b(7), other(8);
  const ToyScene first = a.scene(11, Split::Train);
  const ToyScene second = b.scene(11, Split::Train);
  EXPECT_EQ(first.caption, second.caption);
  EXPECT_EQ(first.image.rgb, second.image.rgb);
  EXPECT_NE(first.image.rgb, other.scene(11, Split::Train).image.rgb);
  EXPECT_NE(first.image.rgb, a.scene(12, Split::Train).image.rgb);
  EXPECT_EQ(a.clip(5, Split::HeldOut).frames.back().rgb, b.clip(5, Split::HeldOut).frames.back().rgb);
}

TEST(ToyWorld, PixelsMatchTheGroundTruth) {
  const ToyWorld world(1);
  for (std::uint64_t i = 0; i < 200; ++i) {
    const ToyScene scene = world.scene(i, Split::Train);
    ASSERT_GE(scene.shapes.size(), 1u);
    ASSERT_LE(scene.shapes.size(), 3u);
    std::set<Colour> colours;
    std::set<Position> cells;
    for (const ShapeTruth& s : scene.shapes) {
      colours.insert(s.colour);
      cells.insert(s.position);
      EXPECT_NE(s.colour, scene.background);
      EXPECT_EQ(positionAt(s.centerX, s.centerY), s.position);
      EXPECT_TRUE(sameRgb(pixelAt(scene.image, s.centerX, s.centerY), paletteColour(s.colour))) << scene.caption;
      // Three pixels left of the half-extent is background, unless that is off the image or near another shape.
      const float outsideX = s.centerX - s.radius - 3;
      bool nearOther = outsideX < 0;
      for (const ShapeTruth& o : scene.shapes)
        nearOther = nearOther || (&o != &s && std::abs(o.centerX - outsideX) < o.radius + 3 &&
                                  std::abs(o.centerY - s.centerY) < o.radius + 3);
      if (!nearOther)
        EXPECT_TRUE(sameRgb(pixelAt(scene.image, outsideX, s.centerY), paletteColour(scene.background)))
            << scene.caption;
      const float radius = s.size == Size::Small ? kSmallRadius : kBigRadius;
      EXPECT_NEAR(s.radius, radius, 1.0f);
    }
    EXPECT_EQ(colours.size(), scene.shapes.size());
    EXPECT_EQ(cells.size(), scene.shapes.size());
  }
}

TEST(ToyWorld, EdgesAreAntiAliased) {
  const ToyWorld world(3);
  const ToyScene scene = world.scene(0, Split::Train);
  const Rgb bg = paletteColour(scene.background);
  const Rgb fg = paletteColour(scene.shapes[0].colour);
  int blended = 0;
  for (int y = 0; y < kImageSize; ++y)
    for (int x = 0; x < kImageSize; ++x) {
      const Rgb p = scene.image.at(x, y);
      bool isPalette = sameRgb(p, bg);
      for (const ShapeTruth& s : scene.shapes) isPalette = isPalette || sameRgb(p, paletteColour(s.colour));
      blended += isPalette ? 0 : 1;
    }
  EXPECT_GT(blended, 10) << "no partially covered pixels between " << int(fg.r) << " and the background";
}

TEST(ToyWorld, CaptionsSayWhatIsDrawnInVaryingWords) {
  const ToyWorld world(5);
  const auto vocabulary = ToyWorld::captionWords();
  const std::set<std::string> known(vocabulary.begin(), vocabulary.end());
  std::set<int> templates;
  std::set<std::string> firstWords;
  for (std::uint64_t i = 0; i < 300; ++i) {
    const ToyScene scene = world.scene(i, Split::Train);
    templates.insert(scene.templateIndex);
    const auto words = wordsOf(scene.caption);
    firstWords.insert(scene.caption.substr(0, scene.caption.find(' ')));
    for (const auto& word : words) EXPECT_TRUE(known.count(word)) << word << " in " << scene.caption;
    EXPECT_TRUE(words.count(colourName(scene.background))) << scene.caption;
    for (const ShapeTruth& s : scene.shapes) {
      EXPECT_NE(scene.caption.find(std::string(colourName(s.colour)) + " " + shapeName(s.shape)), std::string::npos);
      EXPECT_NE(scene.caption.find(positionName(s.position)), std::string::npos) << scene.caption;
      EXPECT_NE(scene.caption.find(sizeName(s.size)), std::string::npos) << scene.caption;
    }
  }
  EXPECT_EQ(templates.size(), 4u);  // all but the held-out one
  EXPECT_GE(firstWords.size(), 2u);
}

TEST(ToyWorld, HeldOutCombinationsAndTemplateNeverReachTraining) {
  const ToyWorld world(9);
  std::set<int> colours, shapes, positions;
  for (std::uint64_t i = 0; i < 600; ++i) {
    const ToyScene scene = world.scene(i, Split::Train);
    EXPECT_NE(scene.templateIndex, kHeldOutSceneTemplate);
    for (const ShapeTruth& s : scene.shapes) {
      EXPECT_FALSE(isHeldOut(s.colour, s.shape, s.position)) << scene.caption;
      colours.insert(static_cast<int>(s.colour));
      shapes.insert(static_cast<int>(s.shape));
      positions.insert(static_cast<int>(s.position));
    }
    const ToyClip clip = world.clip(i, Split::Train);
    EXPECT_NE(clip.templateIndex, kHeldOutClipTemplate);
    EXPECT_FALSE(isHeldOut(clip.track[0].colour, clip.track[0].shape, clip.track[0].position));
  }
  // Each word on its own is still taught: only combinations are held out.
  EXPECT_EQ(colours.size(), std::size_t(kColourCount));
  EXPECT_EQ(shapes.size(), std::size_t(kShapeCount));
  EXPECT_EQ(positions.size(), std::size_t(kPositionCount));
  for (std::uint64_t i = 0; i < 100; ++i) {
    const ToyScene scene = world.scene(i, Split::HeldOut);
    const ShapeTruth& s = scene.shapes.front();
    EXPECT_TRUE(isHeldOut(s.colour, s.shape, s.position)) << scene.caption;
    const ToyClip clip = world.clip(i, Split::HeldOut);
    EXPECT_TRUE(clip.templateIndex == kHeldOutClipTemplate ||
                isHeldOut(clip.track[0].colour, clip.track[0].shape, clip.track[0].position));
  }
}

TEST(ToyWorld, ClipsFollowTheirMotion) {
  const ToyWorld world(2);
  std::set<Motion> seen;
  for (std::uint64_t i = 0; i < 60; ++i) {
    const ToyClip clip = world.clip(i, Split::Train);
    seen.insert(clip.motion);
    ASSERT_GE(clip.frames.size(), 8u);
    ASSERT_LE(clip.frames.size(), 16u);
    ASSERT_EQ(clip.track.size(), clip.frames.size());
    const ShapeTruth& first = clip.track.front();
    const ShapeTruth& last = clip.track.back();
    EXPECT_NE(clip.caption.find(motionName(clip.motion)), std::string::npos) << clip.caption;
    switch (clip.motion) {
      case Motion::MovingLeft: EXPECT_LT(last.centerX, first.centerX - 35); break;
      case Motion::MovingRight: EXPECT_GT(last.centerX, first.centerX + 35); break;
      case Motion::MovingUp: EXPECT_LT(last.centerY, first.centerY - 35); break;
      case Motion::MovingDown: EXPECT_GT(last.centerY, first.centerY + 35); break;
      case Motion::Growing: EXPECT_EQ(last.size, Size::Big); EXPECT_GT(last.radius, first.radius); break;
      case Motion::Shrinking: EXPECT_EQ(last.size, Size::Small); EXPECT_LT(last.radius, first.radius); break;
      case Motion::Unset: ADD_FAILURE() << "clip without motion"; break;
    }
    for (std::size_t f = 0; f < clip.frames.size(); ++f)
      EXPECT_TRUE(sameRgb(pixelAt(clip.frames[f], clip.track[f].centerX, clip.track[f].centerY),
                          paletteColour(clip.track[f].colour)));
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(ToyWorld, ACounterpartStartsLikeItsClipAndMovesAnotherWayInsideTheFrame) {
  const ToyWorld world(2);
  int opposite = 0;
  for (std::uint64_t i = 0; i < 60; ++i) {
    const ToyClip clip = world.clip(i, Split::Train);
    const ToyClip other = world.counterpart(i, Split::Train);
    ASSERT_EQ(other.frames.size(), clip.frames.size());
    EXPECT_EQ(other.frames.front().rgb, clip.frames.front().rgb) << clip.caption;
    EXPECT_EQ(other.templateIndex, clip.templateIndex);
    EXPECT_NE(other.motion, clip.motion) << clip.caption;
    EXPECT_NE(other.caption, clip.caption);
    EXPECT_NE(other.caption.find(motionName(other.motion)), std::string::npos) << other.caption;
    const ShapeTruth& first = other.track.front();
    const ShapeTruth& last = other.track.back();
    const float moved = std::hypot(last.centerX - first.centerX, last.centerY - first.centerY);
    EXPECT_GE(moved, kMinCounterTravel - 0.01f) << other.caption;
    for (const ShapeTruth& at : other.track) {
      EXPECT_GE(std::min(at.centerX, at.centerY) - at.radius, 0.0f) << other.caption;
      EXPECT_LE(std::max(at.centerX, at.centerY) + at.radius, static_cast<float>(kImageSize)) << other.caption;
    }
    const bool reversed = (clip.motion == Motion::MovingLeft && other.motion == Motion::MovingRight) ||
                          (clip.motion == Motion::MovingRight && other.motion == Motion::MovingLeft) ||
                          (clip.motion == Motion::MovingUp && other.motion == Motion::MovingDown) ||
                          (clip.motion == Motion::MovingDown && other.motion == Motion::MovingUp);
    opposite += reversed ? 1 : 0;
  }
  EXPECT_GT(opposite, 5);  // the opposite direction wherever it has room
  // Over another length, the counterpart is the same motion drawn over those frames.
  const ToyClip longer = world.counterpart(3, Split::Train, 16);
  EXPECT_EQ(longer.frames.size(), 16u);
  EXPECT_EQ(longer.caption, world.counterpart(3, Split::Train).caption);
}
