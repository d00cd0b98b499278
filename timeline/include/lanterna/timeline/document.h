// The edit document: project settings, tracks and items, changed only through undoable request…() calls. Usage:
//   Document doc(ProjectSettings{"Trailer", FrameRate{24, 1}, 1920, 1080});
//   TrackId video = doc.requestAddTrack(TrackKind::Video, "V1").createdId;
//   EditResult inserted = doc.requestInsertItem(video, FrameTime{0}, FrameTime{48}, VideoPayload{.asset = 3});
//   if (!inserted) showStatus(inserted.reason);          // refused: the document did not change
//   doc.requestMove(inserted.createdId, video, FrameTime{12}, Commit::No);   // while dragging
//   doc.requestMove(inserted.createdId, video, FrameTime{24}, Commit::Yes);  // on release: one undo step
// A Document lives on the thread that owns it (the UI thread); workers read a snapshot() copy.
#pragma once

#include <QObject>
#include <QUndoStack>

#include <memory>
#include <string>
#include <vector>

#include "lanterna/result.h"
#include "lanterna/timeline/document_snapshot.h"
#include "lanterna/timeline/edit_result.h"

namespace lanterna::timeline {

struct Change;

enum class Ripple { No, Yes };
enum class Edge { Start, End };
enum class Activate { No, Yes };
// Commit::No marks a step of a drag: the next step of the same kind on the same item merges into it.
enum class Commit { No, Yes };

class Document : public QObject {
  Q_OBJECT

 public:
  explicit Document(ProjectSettings settings = {}, QObject* parent = nullptr);
  ~Document() override;
  // Refuses an inconsistent snapshot (the reason says which rule broke). The undo stack starts empty.
  static Result<std::unique_ptr<Document>> fromSnapshot(const DocumentSnapshot& snapshot, QObject* parent = nullptr);

  const DocumentSnapshot& snapshot() const { return state_; }
  const ProjectSettings& settings() const { return state_.settings; }
  const std::vector<Track>& tracks() const { return state_.tracks; }
  const Track* track(TrackId id) const;
  const Item* item(ItemId id) const;
  std::vector<const Item*> itemsOnTrack(TrackId track) const;  // by start
  FrameTime duration() const;                                  // end of the last item
  bool checkConsistency() const { return consistencyProblem().empty(); }
  std::string consistencyProblem() const;
  QUndoStack& undoStack() { return undoStack_; }

  EditResult requestAddTrack(TrackKind kind, std::string name, int index = -1);
  EditResult requestRemoveTrack(TrackId track);  // removes its items too
  EditResult requestInsertItem(TrackId track, FrameTime start, FrameTime duration, ItemPayload payload);
  EditResult requestDeleteItem(ItemId id, Ripple ripple = Ripple::No);
  EditResult requestMove(ItemId id, TrackId track, FrameTime start, Commit commit = Commit::Yes);
  EditResult requestTrim(ItemId id, Edge edge, FrameTime edgeAt, Commit commit = Commit::Yes);
  EditResult requestSplit(ItemId id, FrameTime at);  // createdId is the right-hand part
  EditResult requestChangeGenerationSettings(ItemId id, GenerationSettings settings);
  EditResult requestAddTake(ItemId id, Take take, Activate activate = Activate::Yes);
  EditResult requestChooseTake(ItemId id, int takeIndex);
  EditResult requestSetFades(ItemId id, FrameTime fadeIn, FrameTime fadeOut);
  EditResult requestSetCrossfade(ItemId id, FrameTime length);
  EditResult requestChangeProjectSettings(ProjectSettings settings);
  // Retimes a video item: it keeps showing the same stretch of its media, so its duration becomes
  // duration x old / new (at least one frame, no further than the media reaches). Refused when that overlaps the
  // next item. Undo restores the duration and in-point exactly.
  EditResult requestSetSpeed(ItemId id, Rational speed);
  EditResult requestSetConform(ItemId id, ConformMode mode);

 signals:
  void itemAdded(qint64 id);
  void itemRemoved(qint64 id);
  void itemChanged(qint64 id);
  void tracksChanged();
  void settingsChanged();
  void changed();  // after any of the above, once per applied edit

 private:
  friend class EditCommand;
  void apply(const Change& change, bool forward);

  DocumentSnapshot state_;
  QUndoStack undoStack_;
};

// Groups several requests into one undo step; the macro closes when the guard leaves scope, early returns included.
class EditMacro {
 public:
  EditMacro(Document& document, const QString& text);
  ~EditMacro();
  EditMacro(const EditMacro&) = delete;
  EditMacro& operator=(const EditMacro&) = delete;

 private:
  QUndoStack& stack_;
};

}  // namespace lanterna::timeline
