#include "toy_world.h"

#include <algorithm>
#include <array>
#include <set>

#include "toy_caption.h"
#include "toy_random.h"

namespace lanterna::toy {
namespace {

constexpr float kPositionJitter = 2.0f;
// Template 4 ("on a black background, ...") names the background first, as only the held-out template 3 did before:
// without it, "the last colour named is the background's" explained every training caption.
constexpr int kSceneTemplates = 5;
constexpr int kClipTemplates = 5;

Image blankImage(Colour background) {
  Image image{kImageSize, kImageSize, std::vector<std::uint8_t>(kImageSize * kImageSize * 3)};
  const Rgb c = paletteColour(background);
  for (std::size_t i = 0; i < image.rgb.size(); i += 3) {
    image.rgb[i] = c.r;
    image.rgb[i + 1] = c.g;
    image.rgb[i + 2] = c.b;
  }
  return image;
}

float nominalRadius(Size size) { return size == Size::Small ? kSmallRadius : kBigRadius; }

float radiusFor(Size size, ToyRandom& rng) {
  return nominalRadius(size) + rng.uniform(-1.0f, 1.0f);
}

ShapeTruth placeInCell(Colour colour, Shape shape, Size size, Position position, ToyRandom& rng) {
  const float cell = kImageSize / 3.0f;
  const int index = static_cast<int>(position);
  ShapeTruth truth{colour, shape, size, position, 0, 0, radiusFor(size, rng)};
  truth.centerX = (index % 3 + 0.5f) * cell + rng.uniform(-kPositionJitter, kPositionJitter);
  truth.centerY = (index / 3 + 0.5f) * cell + rng.uniform(-kPositionJitter, kPositionJitter);
  return truth;
}

Colour backgroundAvoiding(const std::set<Colour>& used, ToyRandom& rng) {
  Colour background;
  do background = static_cast<Colour>(rng.below(kColourCount));
  while (used.count(background));
  return background;
}

// The train split sees every template but the held-out one; the held-out split uses it half of the time.
int pickTemplate(int count, int heldOutTemplate, Split split, ToyRandom& rng) {
  if (split == Split::HeldOut && rng.below(2) == 0) return heldOutTemplate;
  int chosen;
  do chosen = rng.below(count);
  while (chosen == heldOutTemplate);
  return chosen;
}

}  // namespace

const char* colourName(Colour colour) {
  static constexpr std::array<const char*, kColourCount> kNames = {"red",   "green", "blue",   "yellow",
                                                                   "white", "black", "orange", "purple"};
  return kNames[static_cast<int>(colour)];
}

const char* shapeName(Shape shape) {
  static constexpr std::array<const char*, kShapeCount> kNames = {"circle", "square", "triangle"};
  return kNames[static_cast<int>(shape)];
}

const char* sizeName(Size size) { return size == Size::Small ? "small" : "big"; }

const char* positionName(Position position) {
  static constexpr std::array<const char*, kPositionCount> kNames = {
      "top left", "top", "top right", "left", "center", "right", "bottom left", "bottom", "bottom right"};
  return kNames[static_cast<int>(position)];
}

const char* motionName(Motion motion) {
  switch (motion) {
    case Motion::Unset: return "";
    case Motion::MovingLeft: return "moving left";
    case Motion::MovingRight: return "moving right";
    case Motion::MovingUp: return "moving up";
    case Motion::MovingDown: return "moving down";
    case Motion::Growing: return "growing";
    case Motion::Shrinking: return "shrinking";
  }
  return "";
}

// Far apart in hue (or in value, for white and black) so a detector can tell them apart in generated images.
Rgb paletteColour(Colour colour) {
  static constexpr std::array<Rgb, kColourCount> kPalette = {
      Rgb{220, 30, 30},  Rgb{40, 180, 40},  Rgb{40, 70, 220},  Rgb{240, 220, 40},
      Rgb{245, 245, 245}, Rgb{15, 15, 15}, Rgb{245, 140, 20}, Rgb{140, 50, 190}};
  return kPalette[static_cast<int>(colour)];
}

bool isHeldOut(Colour colour, Shape shape, Position position) {
  return (static_cast<int>(colour) * 3 + static_cast<int>(shape) * 5 + static_cast<int>(position)) % 7 == 3;
}

ToyScene ToyWorld::scene(std::uint64_t index, Split split) const {
  ToyRandom rng(seed_, index, split == Split::Train ? 1 : 2);
  ToyScene scene;
  const int count = 1 + rng.below(3);
  std::set<Colour> usedColours;
  std::set<Position> usedCells;
  while (static_cast<int>(scene.shapes.size()) < count) {
    const auto colour = static_cast<Colour>(rng.below(kColourCount));
    const auto shape = static_cast<Shape>(rng.below(kShapeCount));
    const auto position = static_cast<Position>(rng.below(kPositionCount));
    const auto size = static_cast<Size>(rng.below(2));
    if (usedColours.count(colour) || usedCells.count(position)) continue;
    const bool heldOut = isHeldOut(colour, shape, position);
    if (split == Split::Train && heldOut) continue;
    if (split == Split::HeldOut && scene.shapes.empty() && !heldOut) continue;  // the first one is held out
    usedColours.insert(colour);
    usedCells.insert(position);
    scene.shapes.push_back(placeInCell(colour, shape, size, position, rng));
  }
  scene.background = backgroundAvoiding(usedColours, rng);
  scene.templateIndex = pickTemplate(kSceneTemplates, kHeldOutSceneTemplate, split, rng);
  scene.caption = sceneCaption(scene, scene.templateIndex);
  scene.image = blankImage(scene.background);
  for (const ShapeTruth& shape : scene.shapes) drawShape(scene.image, shape);
  return scene;
}

// Where a clip's shape starts and how it moves, before any frame is drawn.
struct ToyWorld::ClipPlan {
  ShapeTruth start;
  Motion motion = Motion::Unset;
  float travel = 0;  // pixels over the whole clip, for moves
  int frameCount = 0;
  Colour background = Colour::Black;
  int templateIndex = 0;
};

namespace {

// Centres stay this far inside the frame, so the whole path (and the largest size) is visible.
constexpr float kPathLow = kBigRadius + 4.0f, kPathHigh = kImageSize - kBigRadius - 4.0f;
// How far a moving shape travels over its clip.
constexpr float kMinTravel = 40.0f, kMaxTravel = 60.0f;

// How far a shape starting at `start` can travel in `motion`'s direction without leaving the frame.
float roomFor(const ShapeTruth& start, Motion motion) {
  switch (motion) {
    case Motion::MovingLeft: return start.centerX - kPathLow;
    case Motion::MovingRight: return kPathHigh - start.centerX;
    case Motion::MovingUp: return start.centerY - kPathLow;
    case Motion::MovingDown: return kPathHigh - start.centerY;
    default: return 0;
  }
}

// The reverse of a move; Unset for the rest (a resize has no reverse from the same first frame).
Motion oppositeMove(Motion motion) {
  switch (motion) {
    case Motion::MovingLeft: return Motion::MovingRight;
    case Motion::MovingRight: return Motion::MovingLeft;
    case Motion::MovingUp: return Motion::MovingDown;
    case Motion::MovingDown: return Motion::MovingUp;
    default: return Motion::Unset;
  }
}

}  // namespace

ToyWorld::ClipPlan ToyWorld::planClip(std::uint64_t index, Split split, int frames) const {
  ToyRandom rng(seed_, index, split == Split::Train ? 3 : 4);
  ClipPlan plan;
  const int drawnCount = 8 + rng.below(9);  // drawn even when overridden: the rest of the clip stays the same
  plan.frameCount = frames > 1 ? frames : drawnCount;
  plan.motion = static_cast<Motion>(1 + rng.below(6));
  const bool resizing = isResize(plan.motion);
  const bool wantHeldOut = split == Split::HeldOut && rng.below(2) == 0;
  ShapeTruth& start = plan.start;
  for (;;) {
    start.colour = static_cast<Colour>(rng.below(kColourCount));
    start.shape = static_cast<Shape>(rng.below(kShapeCount));
    start.size = resizing ? resizeStartSize(plan.motion) : static_cast<Size>(rng.below(2));
    start.radius = resizing ? nominalRadius(start.size) : radiusFor(start.size, rng);
    plan.travel = resizing ? 0.0f : rng.uniform(kMinTravel, kMaxTravel);
    const float lo = kPathLow, hi = kPathHigh, travel = plan.travel;
    start.centerX = rng.uniform(lo, hi);
    start.centerY = rng.uniform(lo, hi);
    if (plan.motion == Motion::MovingRight) start.centerX = rng.uniform(lo, hi - travel);
    if (plan.motion == Motion::MovingLeft) start.centerX = rng.uniform(lo + travel, hi);
    if (plan.motion == Motion::MovingDown) start.centerY = rng.uniform(lo, hi - travel);
    if (plan.motion == Motion::MovingUp) start.centerY = rng.uniform(lo + travel, hi);
    start.position = positionAt(start.centerX, start.centerY);
    const bool heldOut = isHeldOut(start.colour, start.shape, start.position);
    if (split == Split::Train && heldOut) continue;
    if (wantHeldOut && !heldOut) continue;
    break;
  }
  plan.background = backgroundAvoiding({start.colour}, rng);
  plan.templateIndex = wantHeldOut ? pickTemplate(kClipTemplates, kHeldOutClipTemplate, Split::Train, rng)
                       : split == Split::HeldOut ? kHeldOutClipTemplate
                                                 : pickTemplate(kClipTemplates, kHeldOutClipTemplate, split, rng);
  return plan;
}

ToyClip ToyWorld::render(const ClipPlan& plan) {
  ToyClip clip;
  clip.motion = plan.motion;
  clip.background = plan.background;
  clip.templateIndex = plan.templateIndex;
  const ShapeTruth& start = plan.start;
  for (int f = 0; f < plan.frameCount; ++f) {
    const float t = static_cast<float>(f) / static_cast<float>(plan.frameCount - 1);
    ShapeTruth now = start;
    switch (plan.motion) {
      case Motion::MovingLeft: now.centerX -= plan.travel * t; break;
      case Motion::MovingRight: now.centerX += plan.travel * t; break;
      case Motion::MovingUp: now.centerY -= plan.travel * t; break;
      case Motion::MovingDown: now.centerY += plan.travel * t; break;
      case Motion::Growing: now.radius = start.radius + (kBigRadius - start.radius) * t; break;
      case Motion::Shrinking: now.radius = start.radius - (start.radius - kSmallRadius) * t; break;
      case Motion::Unset: break;
    }
    now.position = positionAt(now.centerX, now.centerY);
    if (isResize(plan.motion)) now.size = now.radius < kSizeThreshold ? Size::Small : Size::Big;
    clip.track.push_back(now);
    Image frame = blankImage(clip.background);
    drawShape(frame, now);
    clip.frames.push_back(std::move(frame));
  }
  clip.caption = clipCaption(clip, clip.templateIndex);
  return clip;
}

ToyClip ToyWorld::clip(std::uint64_t index, Split split, int frames) const {
  return render(planClip(index, split, frames));
}

ToyClip ToyWorld::counterpart(std::uint64_t index, Split split, int frames) const {
  ClipPlan plan = planClip(index, split, frames);
  // The reverse where the frame has room for it, else the move with the most room (growing and shrinking clips
  // always take this). Some direction always has more than kMinCounterTravel: the centres' range is 86 pixels wide.
  Motion best = oppositeMove(plan.motion);
  if (roomFor(plan.start, best) < kMinCounterTravel)
    for (Motion m : {Motion::MovingLeft, Motion::MovingRight, Motion::MovingUp, Motion::MovingDown})
      if (m != plan.motion && roomFor(plan.start, m) > roomFor(plan.start, best)) best = m;
  plan.travel = std::min(plan.travel > 0 ? plan.travel : kMaxTravel, roomFor(plan.start, best));
  plan.motion = best;
  return render(plan);
}

std::vector<std::string> ToyWorld::captionWords() {
  std::vector<std::string> words = captionGlueWords();
  for (int i = 0; i < kColourCount; ++i) words.push_back(colourName(static_cast<Colour>(i)));
  for (int i = 0; i < kShapeCount; ++i) words.push_back(shapeName(static_cast<Shape>(i)));
  for (Size size : {Size::Small, Size::Big}) words.push_back(sizeName(size));
  for (const char* word : {"top", "bottom", "left", "right", "center", "moving", "up", "down", "growing", "shrinking"})
    words.push_back(word);
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

}  // namespace lanterna::toy
