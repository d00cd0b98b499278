// A change to the document as before/after values of what it touched, so undo and redo are exact inverses.
// ChangeBuilder edits a copy of the state; finish() validates the copy and diffs it against the original.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lanterna/timeline/document_snapshot.h"

namespace lanterna::timeline {

struct ItemEdit {
  ItemId id = 0;
  std::optional<Item> before;  // nullopt: the edit adds the item
  std::optional<Item> after;   // nullopt: the edit removes the item
};

struct Change {
  std::vector<ItemEdit> items;
  std::optional<std::vector<Track>> tracksBefore, tracksAfter;
  std::optional<ProjectSettings> settingsBefore, settingsAfter;
  std::int64_t nextIdBefore = 0, nextIdAfter = 0;

  bool empty() const;
  // Folds a later change into this one (a drag step); both must start from consecutive states.
  void absorb(const Change& later);
};

class ChangeBuilder {
 public:
  explicit ChangeBuilder(const DocumentSnapshot& state) : original_(state), edited_(state) {}

  const DocumentSnapshot& state() const { return edited_; }
  Item* item(ItemId id);
  std::vector<Item*> itemsOnTrack(TrackId track);  // by start
  ItemId addItem(Item item);                       // assigns the id
  void removeItem(ItemId id);
  TrackId addTrack(Track track, int index);
  void removeTrack(TrackId id);
  void setSettings(const ProjectSettings& settings) { edited_.settings = settings; settingsTouched_ = true; }

  // Validates the edited state; on success `change` holds the diff and the reason is empty.
  std::string finish(Change& change);

 private:
  void dropBrokenCrossfades();

  const DocumentSnapshot& original_;
  DocumentSnapshot edited_;
  std::set<ItemId> touched_;
  bool tracksTouched_ = false;
  bool settingsTouched_ = false;
};

}  // namespace lanterna::timeline
