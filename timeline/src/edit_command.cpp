#include "edit_command.h"

namespace lanterna::timeline {

EditCommand::EditCommand(Document& document, const QString& text, Change change, MergeKey key,
                         ItemId subject, Commit commit)
    : QUndoCommand(text), document_(document), change_(std::move(change)), key_(key), subject_(subject),
      commit_(commit) {}

void EditCommand::undo() { document_.apply(change_, false); }
void EditCommand::redo() { document_.apply(change_, true); }

bool EditCommand::mergeWith(const QUndoCommand* other) {
  const auto* later = dynamic_cast<const EditCommand*>(other);
  if (!later || commit_ == Commit::Yes || later->key_ != key_ || &later->document_ != &document_)
    return false;
  if (later->subject_ != subject_) return false;
  change_.absorb(later->change_);
  commit_ = later->commit_;
  setObsolete(change_.empty());
  return true;
}

}  // namespace lanterna::timeline
