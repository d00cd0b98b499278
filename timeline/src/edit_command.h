// The one undo command every request pushes: it replays a Change forwards or backwards.
// Drag steps (Commit::No) carry a merge key so Qt folds the next step of the same drag into them.
#pragma once

#include <QUndoCommand>

#include "change.h"
#include "lanterna/timeline/document.h"

namespace lanterna::timeline {

enum class MergeKey { None = -1, Move = 1, Trim = 2 };

class EditCommand : public QUndoCommand {
 public:
  EditCommand(Document& document, const QString& text, Change change, MergeKey key = MergeKey::None,
              ItemId subject = 0, Commit commit = Commit::Yes);

  void undo() override;
  void redo() override;
  int id() const override { return static_cast<int>(key_); }
  bool mergeWith(const QUndoCommand* other) override;

 private:
  Document& document_;
  Change change_;
  MergeKey key_;
  ItemId subject_;  // the dragged item; only steps on the same item merge
  Commit commit_;
};

}  // namespace lanterna::timeline
