#include "toy_caption.h"

namespace lanterna::toy {
namespace {

// "an orange background", "a red circle".
std::string withArticle(const std::string& phrase) {
  return (phrase.front() == 'o' || phrase.front() == 'a' ? "an " : "a ") + phrase;
}

std::string positionPhrase(Position position) {
  return position == Position::Center ? "in the center" : std::string("at the ") + positionName(position);
}

std::string shapePhrase(const ShapeTruth& s) {
  return std::string(sizeName(s.size)) + " " + colourName(s.colour) + " " + shapeName(s.shape) + " " +
         positionPhrase(s.position);
}

// "a big red circle at the top left, a small blue square in the center and a ..."
std::string shapeList(const std::vector<ShapeTruth>& shapes) {
  std::string list;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (i > 0) list += i + 1 == shapes.size() ? " and " : ", ";
    list += withArticle(shapePhrase(shapes[i]));
  }
  return list;
}

}  // namespace

std::string sceneCaption(const ToyScene& scene, int templateIndex) {
  const std::string list = shapeList(scene.shapes);
  const std::string bg = colourName(scene.background);
  switch (templateIndex) {
    case 0: return list + " on " + withArticle(bg + " background");
    case 1: return "on " + bg + ", " + list;
    case 2: return list + ", " + bg + " background";
    case 3: return withArticle(bg + " background with ") + list;
    default: return "on " + withArticle(bg + " background") + ", " + list;
  }
}

std::string clipCaption(const ToyClip& clip, int templateIndex) {
  const ShapeTruth& s = clip.track.front();
  const bool resizing = isResize(clip.motion);
  // A size word would contradict a growing or shrinking shape.
  const std::string size = resizing ? "" : std::string(sizeName(s.size)) + " ";
  // The start cell is said so that the image model, which draws cells, puts the first frame where the clip begins.
  const std::string placed =
      std::string(colourName(s.colour)) + " " + shapeName(s.shape) + " " + positionPhrase(s.position);
  const std::string subject = size + placed;
  const std::string motion = motionName(clip.motion);
  const std::string bg = colourName(clip.background);
  switch (templateIndex) {
    case 0: return withArticle(subject) + " " + motion + " on " + withArticle(bg + " background");
    case 1: return "on " + bg + ", " + withArticle(subject) + " " + motion;
    case 2: return placed + " " + motion + ", " + bg + " background";  // no article, no size
    case 3: return withArticle(bg + " background with ") + withArticle(subject) + " " + motion;
    default: return "on " + withArticle(bg + " background") + ", " + withArticle(subject) + " " + motion;
  }
}

std::vector<std::string> captionGlueWords() { return {"a", "an", "on", "background", "at", "the", "in", "and", "with"}; }

}  // namespace lanterna::toy
