#include "lanterna/timeline/document.h"

#include <algorithm>

#include "change.h"

namespace lanterna::timeline {

Document::Document(ProjectSettings settings, QObject* parent) : QObject(parent) {
  state_.settings = std::move(settings);
}

Document::~Document() = default;

Result<std::unique_ptr<Document>> Document::fromSnapshot(const DocumentSnapshot& snapshot, QObject* parent) {
  if (auto problem = timeline::consistencyProblem(snapshot); !problem.empty())
    return makeError(ErrorKind::FormatIncorrect, "The document is inconsistent: " + problem + ".");
  auto document = std::make_unique<Document>(snapshot.settings, parent);
  document->state_ = snapshot;
  return document;
}

const Track* Document::track(TrackId id) const {
  auto it = std::find_if(state_.tracks.begin(), state_.tracks.end(), [id](const Track& t) { return t.id == id; });
  return it == state_.tracks.end() ? nullptr : &*it;
}

const Item* Document::item(ItemId id) const {
  auto it = std::lower_bound(state_.items.begin(), state_.items.end(), id,
                             [](const Item& item, ItemId wanted) { return item.id < wanted; });
  return it != state_.items.end() && it->id == id ? &*it : nullptr;
}

std::vector<const Item*> Document::itemsOnTrack(TrackId track) const {
  std::vector<const Item*> result;
  for (const auto& item : state_.items)
    if (item.track == track) result.push_back(&item);
  std::sort(result.begin(), result.end(), [](const Item* a, const Item* b) { return a->start < b->start; });
  return result;
}

FrameTime Document::duration() const {
  FrameTime end;
  for (const auto& item : state_.items) end = std::max(end, item.end());
  return end;
}

std::string Document::consistencyProblem() const { return timeline::consistencyProblem(state_); }

void Document::apply(const Change& change, bool forward) {
  std::vector<std::pair<ItemId, int>> events;  // 0 added, 1 removed, 2 changed
  for (const auto& edit : change.items) {
    const auto& from = forward ? edit.before : edit.after;
    const auto& to = forward ? edit.after : edit.before;
    auto it = std::lower_bound(state_.items.begin(), state_.items.end(), edit.id,
                               [](const Item& item, ItemId wanted) { return item.id < wanted; });
    if (to && from) {
      *it = *to;
      events.emplace_back(edit.id, 2);
    } else if (to) {
      state_.items.insert(it, *to);
      events.emplace_back(edit.id, 0);
    } else if (from) {
      state_.items.erase(it);
      events.emplace_back(edit.id, 1);
    }
  }
  const bool tracksChanged = change.tracksAfter.has_value();
  if (tracksChanged) state_.tracks = forward ? *change.tracksAfter : *change.tracksBefore;
  const bool settingsChanged = change.settingsAfter.has_value();
  if (settingsChanged) state_.settings = forward ? *change.settingsAfter : *change.settingsBefore;
  state_.nextId = forward ? change.nextIdAfter : change.nextIdBefore;

  // Signals go out after the state is whole again, so a slot may read anything.
  if (tracksChanged) emit this->tracksChanged();
  if (settingsChanged) emit this->settingsChanged();
  for (const auto& [id, what] : events) {
    if (what == 0) emit itemAdded(id);
    if (what == 1) emit itemRemoved(id);
    if (what == 2) emit itemChanged(id);
  }
  emit changed();
}

EditMacro::EditMacro(Document& document, const QString& text) : stack_(document.undoStack()) {
  stack_.beginMacro(text);
}

EditMacro::~EditMacro() { stack_.endMacro(); }

}  // namespace lanterna::timeline
