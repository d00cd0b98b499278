#include "lanterna/ui/job_queue.h"

namespace lanterna::ui {

// Not app::jobStateName(): the panels should not pull the queue's worker code into every binary that shows them.
QString jobStateText(app::JobState state) {
  switch (state) {
    case app::JobState::Pending: return QObject::tr("Waiting");
    case app::JobState::Running: return QObject::tr("Running");
    case app::JobState::Succeeded: return QObject::tr("Done");
    case app::JobState::Failed: return QObject::tr("Failed");
    case app::JobState::Cancelled: return QObject::tr("Cancelled");
  }
  return {};
}

}  // namespace lanterna::ui
