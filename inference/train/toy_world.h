// The toy world: procedural 128x128 scenes and clips of coloured shapes, each with a caption and its ground truth,
// on which Lanterna trains its bundled demo models and against which semantic tests judge them. Usage:
//   ToyWorld world(42);
//   ToyScene scene = world.scene(7, Split::Train);   // same seed + index + split -> same pixels and caption
//   ToyClip clip = world.clip(3, Split::HeldOut);
// Plain C++ (no torch, no OpenCV). A ToyWorld is immutable; its functions may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lanterna::toy {

enum class Colour { Red, Green, Blue, Yellow, White, Black, Orange, Purple };
enum class Shape { Circle, Square, Triangle };
enum class Size { Small, Big };
// Cells of a 3x3 grid, row by row.
enum class Position { TopLeft, Top, TopRight, Left, Center, Right, BottomLeft, Bottom, BottomRight };
enum class Motion { Unset, MovingLeft, MovingRight, MovingUp, MovingDown, Growing, Shrinking };
inline bool isResize(Motion motion) { return motion == Motion::Growing || motion == Motion::Shrinking; }
// The size a resize starts at: a growing shape starts small and a shrinking one big (clip captions then name no size).
inline Size resizeStartSize(Motion motion) { return motion == Motion::Growing ? Size::Small : Size::Big; }
// Train never contains a held-out (colour, shape, position) combination nor the held-out caption template.
enum class Split { Train, HeldOut };

constexpr int kColourCount = 8;
constexpr int kShapeCount = 3;
constexpr int kPositionCount = 9;
constexpr int kImageSize = 128;
constexpr float kSmallRadius = 9.0f;  // half-extent in pixels, jittered by up to +-1: a big shape still fits its cell
constexpr float kBigRadius = 17.0f;
constexpr float kSizeThreshold = 13.0f;  // radius between small and big, used by growing/shrinking truth
// A counterpart clip travels at least this far (the frame always has room for it) and at most a clip's longest path.
constexpr float kMinCounterTravel = 30.0f;

// The caption words, as they are written: "top left" is two words, "center" one.
const char* colourName(Colour colour);
const char* shapeName(Shape shape);
const char* sizeName(Size size);
const char* positionName(Position position);
const char* motionName(Motion motion);  // "moving left", "growing", ...

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};
Rgb paletteColour(Colour colour);

// Interleaved 8-bit RGB, row-major, top row first.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;
  Rgb at(int x, int y) const;
};

// Ground truth of one shape in one image.
struct ShapeTruth {
  Colour colour = Colour::Red;
  Shape shape = Shape::Circle;
  Size size = Size::Small;
  Position position = Position::Center;  // the grid cell holding the centre
  float centerX = 0, centerY = 0;        // pixels
  float radius = 0;                      // half-extent in pixels
};

struct ToyScene {
  Colour background = Colour::Black;
  std::vector<ShapeTruth> shapes;  // 1 to 3, distinct colours and cells, none the background colour
  int templateIndex = 0;
  std::string caption;
  Image image;
};

struct ToyClip {
  Colour background = Colour::Black;
  Motion motion = Motion::Unset;
  std::vector<ShapeTruth> track;  // the moving shape in each frame; track[0] is where it starts
  int templateIndex = 0;
  std::string caption;
  std::vector<Image> frames;  // 8 to 16
};

// The split rule: a fixed, seed-independent subset of about one in seven (colour, shape, position) combinations.
bool isHeldOut(Colour colour, Shape shape, Position position);
constexpr int kHeldOutSceneTemplate = 3;
constexpr int kHeldOutClipTemplate = 3;

// Draws one shape with anti-aliased edges (signed distance, one-pixel ramp) over what the image holds.
void drawShape(Image& image, const ShapeTruth& shape);
Position positionAt(float x, float y, int imageSize = kImageSize);

class ToyWorld {
 public:
  explicit ToyWorld(std::uint64_t seed) : seed_(seed) {}

  ToyScene scene(std::uint64_t index, Split split) const;
  // frames >= 2 renders the same clip (shape, path, caption) over exactly that many frames instead of its own 8-16.
  ToyClip clip(std::uint64_t index, Split split, int frames = 0) const;
  // The same first frame and caption wording as clip(index), moving another way: the opposite direction where the
  // frame has room for it, else the direction with the most room. Trained beside clip(index), it leaves the caption
  // as the only thing that tells the two motions apart.
  ToyClip counterpart(std::uint64_t index, Split split, int frames = 0) const;

  // Every word a caption can contain, lower case, each once: the tokenizer's vocabulary is built from it.
  static std::vector<std::string> captionWords();

 private:
  struct ClipPlan;
  ClipPlan planClip(std::uint64_t index, Split split, int frames) const;
  static ToyClip render(const ClipPlan& plan);

  std::uint64_t seed_;
};

}  // namespace lanterna::toy
