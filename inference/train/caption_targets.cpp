#include "caption_targets.h"

#include <algorithm>
#include <optional>

namespace lanterna::toy {
namespace {

// Words and commas, in order: "on black, a small" -> on | black | , | a | small.
std::vector<std::string> captionPieces(const std::string& caption) {
  std::vector<std::string> pieces;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) pieces.push_back(word);
    word.clear();
  };
  for (char c : caption) {
    if (c == ' ') {
      flush();
    } else if (c == ',') {
      flush();
      pieces.emplace_back(",");
    } else {
      word += c;
    }
  }
  flush();
  return pieces;
}

template <typename Enum, int N>
std::optional<Enum> lookup(const std::string& word, const char* (*name)(Enum)) {
  for (int i = 0; i < N; ++i)
    if (word == name(static_cast<Enum>(i))) return static_cast<Enum>(i);
  return std::nullopt;
}

bool isPositionWord(const std::string& w) {
  return w == "top" || w == "bottom" || w == "left" || w == "right" || w == "center";
}

struct Described {
  const std::vector<ShapeTruth>& shapes;  // in the caption's order
  Colour background;
  Motion motion;
};

Result<CaptionTargets> tag(const std::string& caption, const Described& d, const TokenCount& count, int length) {
  const std::vector<std::string> pieces = captionPieces(caption);
  CaptionTargets out;
  out.tokens.resize(static_cast<std::size_t>(length));
  int next = 1;  // position 0 is the start-of-text token
  int shape = -1;
  bool inPhrase = false, colourSaid = false, shapeSaid = false, sizeSaid = false, motionPending = false;
  int backgroundFrom = length, motionFrom = length;
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    const std::string& w = pieces[p];
    const int first = next;
    next += count(w);
    if (next >= length) return makeError(ErrorKind::InvalidArgument, "Caption too long to tag: \"" + caption + "\".");
    const auto colour = lookup<Colour, kColourCount>(w, colourName);
    const auto startShape = [&] {
      if (shape + 1 >= static_cast<int>(d.shapes.size()))
        return false;
      ++shape;
      inPhrase = true;
      colourSaid = shapeSaid = sizeSaid = false;
      return true;
    };
    bool lastPositionWord = false;
    if (w == "small" || w == "big") {
      if (!startShape()) return makeError(ErrorKind::InvalidArgument, "More shapes named than drawn: \"" + caption + "\".");
      sizeSaid = true;
    } else if (colour && *colour == d.background) {
      // "a black background": until "background" comes, "a black" could start a shape; "on black," cannot.
      const bool named = p + 1 < pieces.size() && pieces[p + 1] == "background";
      backgroundFrom = std::min(backgroundFrom, named ? next : first);
    } else if (colour) {
      if (!inPhrase && !startShape())
        return makeError(ErrorKind::InvalidArgument, "More shapes named than drawn: \"" + caption + "\".");
      colourSaid = true;
    } else if (lookup<Shape, kShapeCount>(w, shapeName)) {
      shapeSaid = true;
    } else if (w == "moving") {
      motionPending = true;
    } else if ((motionPending && (w == "left" || w == "right" || w == "up" || w == "down")) || w == "growing" ||
               w == "shrinking") {
      motionFrom = first;
      motionPending = false;
      inPhrase = false;
      continue;
    } else if (isPositionWord(w) && inPhrase) {
      lastPositionWord = p + 1 == pieces.size() || !isPositionWord(pieces[p + 1]);
    }
    if (inPhrase && shape >= 0) {
      const ShapeTruth& s = d.shapes[static_cast<std::size_t>(shape)];
      for (int t = first; t < next; ++t) {
        TokenTargets& target = out.tokens[static_cast<std::size_t>(t)];
        if (colourSaid) target.colour = static_cast<int>(s.colour);
        if (shapeSaid) target.shape = static_cast<int>(s.shape);
        if (sizeSaid) target.size = static_cast<int>(s.size);
        if (lastPositionWord) target.position = static_cast<int>(s.position);
      }
    }
    if (lastPositionWord) inPhrase = false;
  }
  const int endOfText = next;
  const int motion = static_cast<int>(d.motion);
  for (int t = 0; t < length; ++t) {
    TokenTargets& target = out.tokens[static_cast<std::size_t>(t)];
    if (t >= backgroundFrom) target.background = static_cast<int>(d.background);
    if (t >= motionFrom || t >= endOfText) target.motion = motion;
    target.endOfText = t >= endOfText;
  }
  // Scene captions name every shape's cell; clip captions name where the clip starts.
  out.occupied.fill(0);
  for (const ShapeTruth& s : d.shapes) out.occupied[static_cast<std::size_t>(s.position)] = 1;
  return out;
}

}  // namespace

Result<CaptionTargets> sceneCaptionTargets(const ToyScene& scene, const TokenCount& count, int length) {
  return tag(scene.caption, Described{scene.shapes, scene.background, Motion::Unset}, count, length);
}

Result<CaptionTargets> clipCaptionTargets(const ToyClip& clip, const TokenCount& count, int length) {
  const std::vector<ShapeTruth> first{clip.track.front()};
  return tag(clip.caption, Described{first, clip.background, clip.motion}, count, length);
}

}  // namespace lanterna::toy
