// The request…() functions: each builds its change on a copy, validates it, and pushes one EditCommand.
#include "lanterna/timeline/document.h"

#include "lanterna/timeline/clip_speed.h"

#include "change.h"
#include "edit_command.h"

namespace lanterna::timeline {
namespace {

std::string itemText(ItemId id) { return "item " + std::to_string(id); }

EditResult push(Document& document, ChangeBuilder& builder, const char* text, std::int64_t created = 0,
                MergeKey key = MergeKey::None, ItemId subject = 0, Commit commit = Commit::Yes) {
  Change change;
  if (auto problem = builder.finish(change); !problem.empty()) return EditResult::refused(problem);
  document.undoStack().push(new EditCommand(document, QString::fromUtf8(text), std::move(change), key, subject, commit));
  return EditResult::success(created);
}

// The source range an item shows, for the payloads that have one.
struct MediaRange {
  FrameTime* inPoint = nullptr;
  FrameTime sourceDuration;
};

MediaRange mediaRange(Item& item) {
  if (auto* video = std::get_if<VideoPayload>(&item.payload))
    return {&video->inPoint, retimedLength(video->sourceDuration, video->speed)};
  if (auto* audio = std::get_if<AudioPayload>(&item.payload)) return {&audio->inPoint, audio->sourceDuration};
  return {};
}

}  // namespace

EditResult Document::requestAddTrack(TrackKind kind, std::string name, int index) {
  ChangeBuilder builder(state_);
  const TrackId id = builder.addTrack(Track{0, kind, std::move(name)}, index);
  return push(*this, builder, "Add track", id);
}

EditResult Document::requestRemoveTrack(TrackId id) {
  if (!track(id)) return EditResult::refused("track " + std::to_string(id) + " does not exist");
  ChangeBuilder builder(state_);
  builder.removeTrack(id);
  return push(*this, builder, "Remove track");
}

EditResult Document::requestInsertItem(TrackId trackId, FrameTime start, FrameTime duration, ItemPayload payload) {
  const Track* target = track(trackId);
  if (!target) return EditResult::refused("track " + std::to_string(trackId) + " does not exist");
  if (payloadKind(payload) != target->kind)
    return EditResult::refused(std::string("a ") + trackKindName(payloadKind(payload)) + " item cannot go on a " +
                               trackKindName(target->kind) + " track");
  if (duration <= FrameTime{0}) return EditResult::refused("the duration must be positive");
  ChangeBuilder builder(state_);
  const ItemId id = builder.addItem(Item{0, trackId, start, duration, {}, {}, {}, std::move(payload)});
  return push(*this, builder, "Insert item", id);
}

EditResult Document::requestDeleteItem(ItemId id, Ripple ripple) {
  const Item* doomed = item(id);
  if (!doomed) return EditResult::refused(itemText(id) + " does not exist");
  const Item removed = *doomed;
  ChangeBuilder builder(state_);
  builder.removeItem(id);
  for (Item* later : builder.itemsOnTrack(removed.track)) {
    if (later->start == removed.end()) later->crossfadeIn = FrameTime{0};  // its partner is gone
    if (ripple == Ripple::Yes && later->start >= removed.end()) later->start -= removed.duration;
  }
  return push(*this, builder, ripple == Ripple::Yes ? "Ripple delete" : "Delete item");
}

EditResult Document::requestMove(ItemId id, TrackId trackId, FrameTime start, Commit commit) {
  const Item* moving = item(id);
  if (!moving) return EditResult::refused(itemText(id) + " does not exist");
  const Track* target = track(trackId);
  if (!target) return EditResult::refused("track " + std::to_string(trackId) + " does not exist");
  if (target->kind != payloadKind(moving->payload))
    return EditResult::refused(std::string("a ") + trackKindName(payloadKind(moving->payload)) +
                               " item cannot move to a " + trackKindName(target->kind) + " track");
  ChangeBuilder builder(state_);
  Item* moved = builder.item(id);
  moved->track = trackId;
  moved->start = start;
  return push(*this, builder, "Move item", 0, MergeKey::Move, id, commit);
}

EditResult Document::requestTrim(ItemId id, Edge edge, FrameTime edgeAt, Commit commit) {
  const Item* original = item(id);
  if (!original) return EditResult::refused(itemText(id) + " does not exist");
  ChangeBuilder builder(state_);
  Item* trimmed = builder.item(id);
  const MediaRange range = mediaRange(*trimmed);
  if (edge == Edge::Start) {
    if (edgeAt >= trimmed->end()) return EditResult::refused("the trim would leave " + itemText(id) + " empty");
    const FrameTime shift = edgeAt - trimmed->start;
    if (range.inPoint) {
      if (*range.inPoint + shift < FrameTime{0})
        return EditResult::refused("the trim goes before the start of the media of " + itemText(id));
      *range.inPoint += shift;
    }
    trimmed->start = edgeAt;
    trimmed->duration -= shift;
  } else {
    if (edgeAt <= trimmed->start) return EditResult::refused("the trim would leave " + itemText(id) + " empty");
    trimmed->duration = edgeAt - trimmed->start;
    if (range.inPoint && range.sourceDuration > FrameTime{0} && *range.inPoint + trimmed->duration > range.sourceDuration)
      return EditResult::refused("the trim goes past the end of the media of " + itemText(id));
  }
  return push(*this, builder, "Trim item", 0, MergeKey::Trim, id, commit);
}

EditResult Document::requestSplit(ItemId id, FrameTime at) {
  const Item* original = item(id);
  if (!original) return EditResult::refused(itemText(id) + " does not exist");
  if (at <= original->start || at >= original->end())
    return EditResult::refused("frame " + std::to_string(at.frames) + " is not inside " + itemText(id));
  Item left = *original;
  Item right = *original;
  left.duration = at - original->start;
  left.fadeOut = FrameTime{0};
  left.fadeIn = std::min(left.fadeIn, left.duration);
  left.crossfadeIn = std::min(left.crossfadeIn, left.duration);
  right.start = at;
  right.duration = original->end() - at;
  right.fadeIn = FrameTime{0};
  right.crossfadeIn = FrameTime{0};
  right.fadeOut = std::min(right.fadeOut, right.duration);
  if (MediaRange range = mediaRange(right); range.inPoint) *range.inPoint += left.duration;
  ChangeBuilder builder(state_);
  *builder.item(id) = left;
  const ItemId created = builder.addItem(std::move(right));
  return push(*this, builder, "Split item", created);
}

EditResult Document::requestChangeGenerationSettings(ItemId id, GenerationSettings settings) {
  const Item* original = item(id);
  if (!original) return EditResult::refused(itemText(id) + " does not exist");
  if (!std::holds_alternative<PromptPayload>(original->payload))
    return EditResult::refused(itemText(id) + " is not a prompt item");
  ChangeBuilder builder(state_);
  std::get<PromptPayload>(builder.item(id)->payload).settings = std::move(settings);
  return push(*this, builder, "Change generation settings");
}

EditResult Document::requestAddTake(ItemId id, Take take, Activate activate) {
  const Item* original = item(id);
  if (!original) return EditResult::refused(itemText(id) + " does not exist");
  if (!std::holds_alternative<VideoPayload>(original->payload))
    return EditResult::refused(itemText(id) + " is not a video item");
  if (take.asset <= 0) return EditResult::refused("the take refers to no asset");
  ChangeBuilder builder(state_);
  auto& video = std::get<VideoPayload>(builder.item(id)->payload);
  video.takes.push_back(take);
  if (activate == Activate::Yes || video.takes.size() == 1) {
    video.activeTake = static_cast<int>(video.takes.size()) - 1;
    video.asset = take.asset;
    video.sourceDuration = take.sourceDuration;
  }
  return push(*this, builder, "Add take");
}

EditResult Document::requestChooseTake(ItemId id, int takeIndex) {
  const Item* original = item(id);
  if (!original) return EditResult::refused(itemText(id) + " does not exist");
  const auto* video = std::get_if<VideoPayload>(&original->payload);
  if (!video) return EditResult::refused(itemText(id) + " is not a video item");
  if (takeIndex < 0 || takeIndex >= static_cast<int>(video->takes.size()))
    return EditResult::refused(itemText(id) + " has no take " + std::to_string(takeIndex));
  const Take& take = video->takes[takeIndex];
  const FrameTime room = retimedLength(take.sourceDuration, video->speed);
  if (room > FrameTime{0} && video->inPoint + original->duration > room)
    return EditResult::refused("take " + std::to_string(takeIndex) + " is shorter than " + itemText(id));
  ChangeBuilder builder(state_);
  auto& chosen = std::get<VideoPayload>(builder.item(id)->payload);
  chosen.activeTake = takeIndex;
  chosen.asset = take.asset;
  chosen.sourceDuration = take.sourceDuration;
  return push(*this, builder, "Choose take");
}

EditResult Document::requestSetFades(ItemId id, FrameTime fadeIn, FrameTime fadeOut) {
  const Item* original = item(id);
  if (!original) return EditResult::refused(itemText(id) + " does not exist");
  if (fadeIn < FrameTime{0} || fadeOut < FrameTime{0}) return EditResult::refused("fades cannot be negative");
  ChangeBuilder builder(state_);
  Item* faded = builder.item(id);
  faded->fadeIn = fadeIn;
  faded->fadeOut = fadeOut;
  return push(*this, builder, "Set fades");
}

EditResult Document::requestSetCrossfade(ItemId id, FrameTime length) {
  const Item* original = item(id);
  if (!original) return EditResult::refused(itemText(id) + " does not exist");
  if (length < FrameTime{0}) return EditResult::refused("a crossfade cannot be negative");
  bool hasPartner = false;
  for (const Item* other : itemsOnTrack(original->track)) hasPartner = hasPartner || other->end() == original->start;
  if (length > FrameTime{0} && !hasPartner)
    return EditResult::refused(itemText(id) + " has no item ending where it starts to crossfade from");
  ChangeBuilder builder(state_);
  builder.item(id)->crossfadeIn = length;
  return push(*this, builder, "Set crossfade");
}

EditResult Document::requestChangeProjectSettings(ProjectSettings settings) {
  // Item times count frames at the project rate; changing it under them would move every cut.
  if (!(settings.frameRate == state_.settings.frameRate) && !state_.items.empty())
    return EditResult::refused("the frame rate can only change while the project has no items");
  ChangeBuilder builder(state_);
  builder.setSettings(settings);
  return push(*this, builder, "Change project settings");
}

}  // namespace lanterna::timeline
