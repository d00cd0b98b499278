// The detector must be reliable on rendered ground truth (it will judge generated images) and must refuse targets
// that are not there: wrong colour, shape, region, size or motion.
#include "lanterna/assets/toy_detector.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "toy_world.h"

using namespace lanterna;
using namespace lanterna::assets;
namespace toy = lanterna::toy;

namespace {

RgbImageView view(const toy::Image& image) { return {image.rgb.data(), image.width, image.height}; }

ToyTarget targetOf(const toy::ShapeTruth& s) {
  return {toy::colourName(s.colour), toy::shapeName(s.shape), toy::positionName(s.position), toy::sizeName(s.size)};
}

bool detected(const toy::Image& image, const ToyTarget& target) {
  auto result = detectToyShape(view(image), target);
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() && result->found;
}

std::vector<toy::ToyScene> scenes(int count) {
  const toy::ToyWorld world(21);
  std::vector<toy::ToyScene> all;
  for (int i = 0; i < count; ++i) all.push_back(world.scene(i, i % 4 == 3 ? toy::Split::HeldOut : toy::Split::Train));
  return all;
}

}  // namespace

TEST(ToyDetector, FindsAtLeast98PercentOfRenderedShapes) {
  int total = 0, found = 0;
  for (const auto& scene : scenes(300))
    for (const auto& shape : scene.shapes) {
      ++total;
      if (detected(scene.image, targetOf(shape))) ++found;
      else ADD_FAILURE() << "missed " << toy::colourName(shape.colour) << " in: " << scene.caption << " ("
                         << detectToyShape(view(scene.image), targetOf(shape))->reason << ")";
    }
  EXPECT_GE(found * 100, total * 98) << found << " of " << total;
}

TEST(ToyDetector, RejectsWrongColourShapeRegionAndSize) {
  int wrongColour = 0, wrongShape = 0, wrongPlace = 0, wrongSize = 0, accepted = 0;
  for (const auto& scene : scenes(200)) {
    for (const auto& shape : scene.shapes) {
      // A colour absent from the scene, the background included.
      for (int c = 0; c < toy::kColourCount; ++c) {
        const auto colour = static_cast<toy::Colour>(c);
        bool present = colour == scene.background;
        for (const auto& other : scene.shapes) present = present || other.colour == colour;
        if (present) continue;
        ToyTarget target = targetOf(shape);
        target.colour = toy::colourName(colour);
        ++wrongColour;
        accepted += detected(scene.image, target) ? 1 : 0;
        break;
      }
      ToyTarget target = targetOf(shape);
      target.shape = toy::shapeName(static_cast<toy::Shape>((static_cast<int>(shape.shape) + 1) % toy::kShapeCount));
      ++wrongShape;
      accepted += detected(scene.image, target) ? 1 : 0;
      target = targetOf(shape);
      target.position = toy::positionName(static_cast<toy::Position>((static_cast<int>(shape.position) + 4) % 9));
      ++wrongPlace;
      accepted += detected(scene.image, target) ? 1 : 0;
      target = targetOf(shape);
      target.size = shape.size == toy::Size::Small ? "big" : "small";
      ++wrongSize;
      accepted += detected(scene.image, target) ? 1 : 0;
    }
  }
  EXPECT_GT(wrongColour, 100);
  EXPECT_EQ(accepted, 0) << "of " << wrongColour + wrongShape + wrongPlace + wrongSize << " wrong targets";
}

TEST(ToyDetector, TheBackgroundColourIsNotAShape) {
  for (const auto& scene : scenes(40))
    EXPECT_FALSE(detected(scene.image, {toy::colourName(scene.background), "", "", ""})) << scene.caption;
}

TEST(ToyDetector, ReadsMotionFromClipsAndRejectsOtherMotions) {
  const toy::ToyWorld world(5);
  const char* motions[] = {"moving left", "moving right", "moving up", "moving down", "growing", "shrinking"};
  int total = 0, right = 0, wrongAccepted = 0;
  for (int i = 0; i < 120; ++i) {
    const toy::ToyClip clip = world.clip(i, i % 3 == 2 ? toy::Split::HeldOut : toy::Split::Train);
    std::vector<RgbImageView> frames;
    for (const auto& frame : clip.frames) frames.push_back(view(frame));
    const auto& s = clip.track.front();
    const std::string truth = toy::motionName(clip.motion);
    auto seen = detectToyMotion(frames, {toy::colourName(s.colour), toy::shapeName(s.shape), truth});
    ASSERT_TRUE(seen.ok()) << seen.error().message;
    ++total;
    if (seen->found) ++right;
    else ADD_FAILURE() << clip.caption << ": " << seen->reason;
    const char* other = motions[(static_cast<int>(clip.motion) + i % 5) % 6];  // one of the five others
    wrongAccepted += detectToyMotion(frames, {toy::colourName(s.colour), "", other})->found ? 1 : 0;
    // The wrong shape asked for: the reason names the shape the track mostly shows.
    if (!seen->found) continue;
    const char* wrongShape = s.shape == toy::Shape::Circle ? "square" : "circle";
    auto misnamed = detectToyMotion(frames, {toy::colourName(s.colour), wrongShape, truth});
    ASSERT_TRUE(misnamed.ok());
    EXPECT_FALSE(misnamed->found);
    EXPECT_NE(misnamed->reason.find(std::string("mostly a ") + toy::shapeName(s.shape)), std::string::npos)
        << clip.caption << ": " << misnamed->reason;
  }
  EXPECT_GE(right * 100, total * 98) << right << " of " << total;
  EXPECT_EQ(wrongAccepted, 0);
}

TEST(ToyDetector, AShapeThatJumpsAboutOnTheWayHasNotMoved) {
  // True clips with the frames between the first and the last reversed: they end where the clip ends, by a path
  // back and forth, as independently drawn frames do.
  const toy::ToyWorld world(5);
  for (int i = 0; i < 30; ++i) {
    const toy::ToyClip clip = world.clip(i, toy::Split::Train);
    std::vector<RgbImageView> frames;
    for (const auto& frame : clip.frames) frames.push_back(view(frame));
    std::reverse(frames.begin() + 1, frames.end() - 1);
    auto seen = detectToyMotion(frames, {toy::colourName(clip.track.front().colour), "", toy::motionName(clip.motion)});
    ASSERT_TRUE(seen.ok()) << seen.error().message;
    EXPECT_FALSE(seen->found) << clip.caption;
    EXPECT_EQ(seen->motion, "jumping about") << clip.caption;
    EXPECT_NE(seen->reason.find(std::string("ends up ") + toy::motionName(clip.motion)), std::string::npos)
        << seen->reason;
  }
}

TEST(ToyDetector, RefusesUnknownWordsAndEmptyImages) {
  const auto scene = toy::ToyWorld(1).scene(0, toy::Split::Train);
  auto result = detectToyShape(view(scene.image), {"magenta", "", "", ""});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::InvalidArgument);
  EXPECT_NE(result.error().message.find("magenta"), std::string::npos);
  EXPECT_FALSE(detectToyShape(view(scene.image), {"red", "hexagon", "", ""}).ok());
  EXPECT_FALSE(detectToyShape({}, {"red", "", "", ""}).ok());
  EXPECT_FALSE(detectToyMotion({view(scene.image)}, {"red", "", "growing"}).ok());
}
