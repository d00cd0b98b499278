#include "lanterna/timeline/document_snapshot.h"

#include <algorithm>
#include <map>

#include "lanterna/timeline/clip_speed.h"

namespace lanterna::timeline {
namespace {

std::string itemName(const Item& item) { return "item " + std::to_string(item.id); }

// Checks what only the payload knows: media ranges and takes.
std::string payloadProblem(const Item& item) {
  auto mediaRange = [&](AssetId asset, FrameTime inPoint, FrameTime sourceDuration) -> std::string {
    if (asset <= 0) return itemName(item) + " refers to no asset";
    if (inPoint < FrameTime{0}) return itemName(item) + " starts before its media";
    if (sourceDuration > FrameTime{0} && inPoint + item.duration > sourceDuration)
      return itemName(item) + " runs past the end of its media";
    return {};
  };
  if (const auto* image = std::get_if<ReferenceImagePayload>(&item.payload))
    return image->asset > 0 ? std::string{} : itemName(item) + " refers to no asset";
  if (const auto* audio = std::get_if<AudioPayload>(&item.payload))
    return mediaRange(audio->asset, audio->inPoint, audio->sourceDuration);
  if (const auto* video = std::get_if<VideoPayload>(&item.payload)) {
    const int takeCount = static_cast<int>(video->takes.size());
    if (video->activeTake < -1 || video->activeTake >= takeCount || (takeCount > 0 && video->activeTake < 0))
      return itemName(item) + " has no valid active take";
    if (takeCount > 0) {
      const Take& active = video->takes[video->activeTake];
      if (active.asset != video->asset || active.sourceDuration != video->sourceDuration)
        return itemName(item) + " shows media other than its active take";
    }
    if (auto problem = speedProblem(video->speed); !problem.empty()) return itemName(item) + ": " + problem;
    return mediaRange(video->asset, video->inPoint, retimedLength(video->sourceDuration, video->speed));
  }
  const auto& settings = std::get<PromptPayload>(item.payload).settings;
  if (settings.steps <= 0 || settings.width <= 0 || settings.height <= 0 || settings.frames <= 0 ||
      !settings.fps.valid())
    return itemName(item) + " has generation settings out of range";
  return {};
}

}  // namespace

const char* trackKindName(TrackKind kind) {
  switch (kind) {
    case TrackKind::Prompt: return "prompt";
    case TrackKind::ReferenceImage: return "reference image";
    case TrackKind::Video: return "video";
    case TrackKind::Audio: return "audio";
  }
  return "unknown";
}

TrackKind payloadKind(const ItemPayload& payload) { return static_cast<TrackKind>(payload.index()); }

std::string consistencyProblem(const DocumentSnapshot& snapshot) {
  const auto& settings = snapshot.settings;
  if (!settings.frameRate.valid()) return "the project frame rate is not positive";
  if (settings.width <= 0 || settings.height <= 0) return "the project size is not positive";

  std::map<TrackId, const Track*> tracks;
  for (const auto& track : snapshot.tracks) {
    if (track.id <= 0 || track.id >= snapshot.nextId) return "track " + std::to_string(track.id) + " has a bad id";
    if (!tracks.emplace(track.id, &track).second) return "track id " + std::to_string(track.id) + " is used twice";
  }

  std::map<TrackId, std::vector<const Item*>> byTrack;
  ItemId previousId = 0;
  for (const auto& item : snapshot.items) {
    if (item.id <= previousId || item.id >= snapshot.nextId)
      return itemName(item) + " has a bad id (ids must be unique, sorted and below nextId)";
    previousId = item.id;
    const auto track = tracks.find(item.track);
    if (track == tracks.end()) return itemName(item) + " is on missing track " + std::to_string(item.track);
    if (payloadKind(item.payload) != track->second->kind)
      return itemName(item) + " is a " + trackKindName(payloadKind(item.payload)) + " item on a " +
             trackKindName(track->second->kind) + " track";
    if (item.duration <= FrameTime{0}) return itemName(item) + " has a duration that is not positive";
    if (item.start < FrameTime{0}) return itemName(item) + " starts before frame 0";
    if (item.fadeIn < FrameTime{0} || item.fadeOut < FrameTime{0} || item.fadeIn + item.fadeOut > item.duration)
      return itemName(item) + " has fades longer than the item";
    if (auto problem = payloadProblem(item); !problem.empty()) return problem;
    byTrack[item.track].push_back(&item);
  }

  for (auto& [trackId, items] : byTrack) {
    std::sort(items.begin(), items.end(), [](const Item* a, const Item* b) { return a->start < b->start; });
    for (size_t i = 0; i < items.size(); ++i) {
      const Item& item = *items[i];
      const Item* previous = i > 0 ? items[i - 1] : nullptr;
      if (previous && previous->end() > item.start)
        return itemName(item) + " overlaps " + itemName(*previous) + " on track " + std::to_string(trackId);
      if (item.crossfadeIn < FrameTime{0}) return itemName(item) + " has a negative crossfade";
      if (item.crossfadeIn > FrameTime{0}) {
        if (!previous || previous->end() != item.start)
          return itemName(item) + " has a crossfade but no item right before it";
        if (item.crossfadeIn > item.duration || item.crossfadeIn > previous->duration)
          return itemName(item) + " has a crossfade longer than the items it joins";
      }
    }
  }
  return {};
}

}  // namespace lanterna::timeline
