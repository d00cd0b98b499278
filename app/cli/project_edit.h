// A project opened by a CLI command that edits its timeline: the store and the document loaded from it.
//   auto project = openProjectForEdit(options.project);      // Result<EditableProject>
//   if (!project) return reportError(project.error());
//   ... project->document->request…() ...; project->store.save(project->document->snapshot());
#pragma once

#include <memory>
#include <string>

#include "lanterna/app/project_store.h"
#include "lanterna/result.h"
#include "lanterna/timeline/document.h"

namespace lanterna::cli {

struct EditableProject {
  app::ProjectStore store;
  std::unique_ptr<timeline::Document> document;
};

Result<EditableProject> openProjectForEdit(const std::string& path);

}  // namespace lanterna::cli
