// The clip-speed requests: retime a video item, and choose how its frames are conformed to the project rate.
#include "lanterna/timeline/document.h"

#include <algorithm>

#include "change.h"
#include "edit_command.h"
#include "lanterna/timeline/clip_speed.h"

namespace lanterna::timeline {
namespace {

// A frame count at `from` speed, restated at `to` speed: the same source time, rounded as asked.
FrameTime rescale(FrameTime frames, Rational from, Rational to, Rounding rounding) {
  // frames x from / to = frames x from.num x to.den / (from.den x to.num); speeds are small, products fit.
  const Rational factor = Rational::reduced(from.num * to.den, from.den * to.num);
  return convertFrames(frames, FrameRate{factor.den, 1}, FrameRate{factor.num, 1}, rounding);
}

EditResult pushEdit(Document& document, ChangeBuilder& builder, const char* text) {
  Change change;
  if (auto problem = builder.finish(change); !problem.empty()) return EditResult::refused(problem);
  document.undoStack().push(new EditCommand(document, QString::fromUtf8(text), std::move(change), MergeKey::None, 0,
                                            Commit::Yes));
  return EditResult::success();
}

}  // namespace

EditResult Document::requestSetSpeed(ItemId id, Rational speed) {
  const Item* original = item(id);
  const std::string name = "item " + std::to_string(id);
  if (!original) return EditResult::refused(name + " does not exist");
  const auto* video = std::get_if<VideoPayload>(&original->payload);
  if (!video) return EditResult::refused(name + " is not a video clip, so it has no speed");
  if (speed.den <= 0 || speed.num <= 0) return EditResult::refused("the speed must be positive");
  speed = Rational::reduced(speed.num, speed.den);
  if (auto problem = speedProblem(speed); !problem.empty()) return EditResult::refused(problem);
  if (speed == video->speed) return EditResult::success();

  ChangeBuilder builder(state_);
  Item* retimed = builder.item(id);
  auto& payload = std::get<VideoPayload>(retimed->payload);
  payload.inPoint = rescale(video->inPoint, video->speed, speed, Rounding::Down);
  FrameTime duration = std::max(FrameTime{1}, rescale(original->duration, video->speed, speed, Rounding::Nearest));
  if (const FrameTime room = retimedLength(video->sourceDuration, speed); room > FrameTime{0}) {
    if (payload.inPoint >= room) return EditResult::refused("at " + speedText(speed) + " " + name + " has no media left");
    duration = std::min(duration, room - payload.inPoint);
  }
  retimed->duration = duration;
  retimed->fadeIn = std::min(retimed->fadeIn, duration);
  retimed->fadeOut = std::min(retimed->fadeOut, duration - retimed->fadeIn);
  retimed->crossfadeIn = std::min(retimed->crossfadeIn, duration);
  payload.speed = speed;
  // The item after it may lose its crossfade partner (the builder drops it); an overlap is refused by finish().
  const FrameTime end = retimed->end(), length = duration;
  for (Item* next : builder.itemsOnTrack(original->track))
    if (next->start == end) next->crossfadeIn = std::min(next->crossfadeIn, length);
  if (auto result = pushEdit(*this, builder, "Change clip speed"); !result)
    return EditResult::refused("at " + speedText(speed) + " " + name + " would need " +
                               std::to_string(duration.frames) + " frames: " + result.reason);
  return EditResult::success();
}

EditResult Document::requestSetConform(ItemId id, ConformMode mode) {
  const Item* original = item(id);
  const std::string name = "item " + std::to_string(id);
  if (!original) return EditResult::refused(name + " does not exist");
  const auto* video = std::get_if<VideoPayload>(&original->payload);
  if (!video) return EditResult::refused(name + " is not a video clip, so it has no frame conform");
  if (video->conform == mode) return EditResult::success();
  ChangeBuilder builder(state_);
  std::get<VideoPayload>(builder.item(id)->payload).conform = mode;
  return pushEdit(*this, builder,
                  mode == ConformMode::Interpolate ? "Conform by optical flow" : "Conform by repeating frames");
}

}  // namespace lanterna::timeline
