#include "caption_targets.h"

#include <gtest/gtest.h>

#include "toy_caption.h"

using namespace lanterna;
using namespace lanterna::toy;

namespace {

// One token per word or comma, as the toy tokenizer makes them; position 0 is the start-of-text token.
int oneToken(const std::string&) { return 1; }
constexpr int kLength = 40;

ToyScene twoShapes(int templateIndex) {
  ToyScene scene;
  scene.background = Colour::Black;
  scene.shapes = {ShapeTruth{Colour::Red, Shape::Circle, Size::Big, Position::TopLeft},
                  ShapeTruth{Colour::Blue, Shape::Square, Size::Small, Position::Center}};
  scene.caption = sceneCaption(scene, templateIndex);
  return scene;
}

}  // namespace

TEST(CaptionTargets, EachPhraseTellsItsShapeAndItsCellOnlyOnceSaid) {
  const ToyScene scene = twoShapes(0);
  ASSERT_EQ(scene.caption, "a big red circle at the top left and a small blue square in the center on a black background");
  auto targets = sceneCaptionTargets(scene, oneToken, kLength);
  ASSERT_TRUE(targets.ok()) << targets.error().message;
  const auto& t = targets->tokens;
  // 1 a, 2 big, 3 red, 4 circle, 5 at, 6 the, 7 top, 8 left, 9 and, 10 a, 11 small, 12 blue, 13 square, 14 in,
  // 15 the, 16 center, 17 on, 18 a, 19 black, 20 background, 21 end of text.
  EXPECT_EQ(t[2].size, static_cast<int>(Size::Big));
  EXPECT_EQ(t[2].colour, kNoTarget);  // "big" cannot know the colour yet
  EXPECT_EQ(t[4].colour, static_cast<int>(Colour::Red));
  EXPECT_EQ(t[4].shape, static_cast<int>(Shape::Circle));
  EXPECT_EQ(t[7].position, kNoTarget);  // "top" could still become "top left" or "top right"
  EXPECT_EQ(t[8].position, static_cast<int>(Position::TopLeft));
  EXPECT_EQ(t[8].colour, static_cast<int>(Colour::Red));
  EXPECT_EQ(t[9].colour, kNoTarget);  // "and" belongs to no shape
  EXPECT_EQ(t[16].position, static_cast<int>(Position::Center));
  EXPECT_EQ(t[16].colour, static_cast<int>(Colour::Blue));
  EXPECT_EQ(t[16].size, static_cast<int>(Size::Small));
  EXPECT_EQ(t[19].background, kNoTarget);  // "a black" could start a shape until "background" comes
  EXPECT_EQ(t[20].background, static_cast<int>(Colour::Black));
  EXPECT_FALSE(t[20].endOfText);
  EXPECT_TRUE(t[21].endOfText);
  EXPECT_TRUE(t[kLength - 1].endOfText);
  EXPECT_EQ(t[kLength - 1].background, static_cast<int>(Colour::Black));
  EXPECT_EQ(t[21].motion, static_cast<int>(Motion::Unset));
  EXPECT_EQ(targets->occupied[static_cast<int>(Position::TopLeft)], 1);
  EXPECT_EQ(targets->occupied[static_cast<int>(Position::Center)], 1);
  EXPECT_EQ(targets->occupied[static_cast<int>(Position::Right)], 0);
}

TEST(CaptionTargets, BackgroundNamedFirstCountsFromItsColour) {
  const ToyScene scene = twoShapes(1);
  ASSERT_EQ(scene.caption.rfind("on black, a big red circle", 0), 0u) << scene.caption;
  auto targets = sceneCaptionTargets(scene, oneToken, kLength);
  ASSERT_TRUE(targets.ok()) << targets.error().message;
  EXPECT_EQ(targets->tokens[1].background, kNoTarget);                       // "on"
  EXPECT_EQ(targets->tokens[2].background, static_cast<int>(Colour::Black));  // "black"
  EXPECT_EQ(targets->tokens[2].colour, kNoTarget);                            // not a shape's colour
  EXPECT_EQ(targets->tokens[6].colour, static_cast<int>(Colour::Red));        // 3 ",", 4 a, 5 big, 6 red
}

TEST(CaptionTargets, ClipMotionWordsAreMotionNotCells) {
  ToyClip clip;
  clip.background = Colour::White;
  clip.motion = Motion::MovingLeft;
  clip.track = {ShapeTruth{Colour::Green, Shape::Triangle, Size::Big, Position::Right}};
  clip.caption = clipCaption(clip, 0);
  ASSERT_EQ(clip.caption, "a big green triangle at the right moving left on a white background");
  auto targets = clipCaptionTargets(clip, oneToken, kLength);
  ASSERT_TRUE(targets.ok()) << targets.error().message;
  // 1 a, 2 big, 3 green, 4 triangle, 5 at, 6 the, 7 right, 8 moving, 9 left, 10 on, 11 a, 12 white, 13 background,
  // 14 end of text.
  EXPECT_EQ(targets->tokens[7].position, static_cast<int>(Position::Right));  // where the clip starts
  EXPECT_EQ(targets->tokens[8].motion, kNoTarget);
  EXPECT_EQ(targets->tokens[9].motion, static_cast<int>(Motion::MovingLeft));
  EXPECT_EQ(targets->tokens[9].position, kNoTarget);
  EXPECT_EQ(targets->tokens[14].motion, static_cast<int>(Motion::MovingLeft));
  EXPECT_EQ(targets->tokens[4].shape, static_cast<int>(Shape::Triangle));
  EXPECT_EQ(targets->occupied[static_cast<std::size_t>(Position::Right)], 1);
  EXPECT_EQ(targets->occupied[static_cast<std::size_t>(Position::Left)], 0);
}

TEST(CaptionTargets, EveryCaptionOfTheWorldIsTagged) {
  const ToyWorld world(5);
  for (std::uint64_t i = 0; i < 300; ++i) {
    for (Split split : {Split::Train, Split::HeldOut}) {
      const ToyScene scene = world.scene(i, split);
      auto targets = sceneCaptionTargets(scene, oneToken, 77);
      ASSERT_TRUE(targets.ok()) << scene.caption;
      int cells = 0;
      for (const TokenTargets& t : targets->tokens) cells += t.position != kNoTarget;
      EXPECT_EQ(cells, static_cast<int>(scene.shapes.size())) << scene.caption;
      const ToyClip clip = world.clip(i, split);
      auto clipTargets = clipCaptionTargets(clip, oneToken, 77);
      ASSERT_TRUE(clipTargets.ok()) << clip.caption;
      EXPECT_EQ(clipTargets->tokens.back().motion, static_cast<int>(clip.motion)) << clip.caption;
      EXPECT_EQ(clipTargets->tokens.back().background, static_cast<int>(clip.background)) << clip.caption;
    }
  }
}
