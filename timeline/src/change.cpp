#include "change.h"

#include <algorithm>
#include <map>

namespace lanterna::timeline {
namespace {

const Item* findItem(const DocumentSnapshot& state, ItemId id) {
  auto it = std::lower_bound(state.items.begin(), state.items.end(), id,
                             [](const Item& item, ItemId wanted) { return item.id < wanted; });
  return it != state.items.end() && it->id == id ? &*it : nullptr;
}

}  // namespace

bool Change::empty() const {
  for (const auto& edit : items)
    if (edit.before != edit.after) return false;
  return tracksBefore == tracksAfter && settingsBefore == settingsAfter && nextIdBefore == nextIdAfter;
}

void Change::absorb(const Change& later) {
  for (const auto& edit : later.items) {
    auto mine = std::find_if(items.begin(), items.end(), [&](const ItemEdit& e) { return e.id == edit.id; });
    if (mine != items.end())
      mine->after = edit.after;
    else
      items.push_back(edit);  // untouched by this change, so its before is still right
  }
  if (later.tracksAfter) {
    if (!tracksBefore) tracksBefore = later.tracksBefore;
    tracksAfter = later.tracksAfter;
  }
  if (later.settingsAfter) {
    if (!settingsBefore) settingsBefore = later.settingsBefore;
    settingsAfter = later.settingsAfter;
  }
  nextIdAfter = later.nextIdAfter;
}

Item* ChangeBuilder::item(ItemId id) {
  auto* found = const_cast<Item*>(findItem(edited_, id));
  if (found) touched_.insert(id);
  return found;
}

std::vector<Item*> ChangeBuilder::itemsOnTrack(TrackId track) {
  std::vector<Item*> result;
  for (auto& candidate : edited_.items)
    if (candidate.track == track) {
      result.push_back(&candidate);
      touched_.insert(candidate.id);
    }
  std::sort(result.begin(), result.end(), [](const Item* a, const Item* b) { return a->start < b->start; });
  return result;
}

ItemId ChangeBuilder::addItem(Item item) {
  item.id = edited_.nextId++;
  touched_.insert(item.id);
  edited_.items.push_back(std::move(item));  // ids only grow, so the list stays sorted
  return edited_.items.back().id;
}

void ChangeBuilder::removeItem(ItemId id) {
  touched_.insert(id);
  std::erase_if(edited_.items, [id](const Item& item) { return item.id == id; });
}

TrackId ChangeBuilder::addTrack(Track track, int index) {
  track.id = edited_.nextId++;
  const int count = static_cast<int>(edited_.tracks.size());
  const int at = index < 0 || index > count ? count : index;
  edited_.tracks.insert(edited_.tracks.begin() + at, std::move(track));
  tracksTouched_ = true;
  return edited_.tracks[at].id;
}

void ChangeBuilder::removeTrack(TrackId id) {
  std::vector<ItemId> doomed;
  for (const auto& item : edited_.items)
    if (item.track == id) doomed.push_back(item.id);
  for (ItemId item : doomed) removeItem(item);
  std::erase_if(edited_.tracks, [id](const Track& track) { return track.id == id; });
  tracksTouched_ = true;
}

// A crossfade needs an item ending exactly where its item starts; an edit that breaks that removes the crossfade.
void ChangeBuilder::dropBrokenCrossfades() {
  std::map<TrackId, std::vector<FrameTime>> ends;
  for (const auto& item : edited_.items) ends[item.track].push_back(item.end());
  for (auto& item : edited_.items) {
    if (item.crossfadeIn <= FrameTime{0}) continue;
    const auto& trackEnds = ends[item.track];
    if (std::find(trackEnds.begin(), trackEnds.end(), item.start) == trackEnds.end()) {
      item.crossfadeIn = FrameTime{0};
      touched_.insert(item.id);
    }
  }
}

std::string ChangeBuilder::finish(Change& change) {
  dropBrokenCrossfades();
  if (auto problem = consistencyProblem(edited_); !problem.empty()) return problem;
  change = Change{};
  for (ItemId id : touched_) {
    const Item* before = findItem(original_, id);
    const Item* after = findItem(edited_, id);
    if (before && after && *before == *after) continue;
    change.items.push_back(ItemEdit{id, before ? std::optional<Item>(*before) : std::nullopt,
                                    after ? std::optional<Item>(*after) : std::nullopt});
  }
  if (tracksTouched_) change.tracksBefore = original_.tracks, change.tracksAfter = edited_.tracks;
  if (settingsTouched_) change.settingsBefore = original_.settings, change.settingsAfter = edited_.settings;
  change.nextIdBefore = original_.nextId;
  change.nextIdAfter = edited_.nextId;
  return {};
}

}  // namespace lanterna::timeline
