#include "project_edit.h"

namespace lanterna::cli {

Result<EditableProject> openProjectForEdit(const std::string& path) {
  auto store = app::ProjectStore::open(path);
  if (!store) return store.error();
  auto snapshot = store->load();
  if (!snapshot) return snapshot.error();
  auto document = timeline::Document::fromSnapshot(*snapshot);
  if (!document) return document.error();
  return EditableProject{std::move(*store), std::move(*document)};
}

}  // namespace lanterna::cli
