// Waveforms for the timeline's audio clips: asked for at paint time, made once per asset on the thread pool
// (app::WaveformCache, files beside the thumbnails), and `ready` asks for a repaint when one arrives.
// UI thread only; the work itself runs on QThreadPool::globalInstance().
#pragma once

#include <QObject>

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "lanterna/app/waveform_summary.h"
#include "lanterna/timeline/document_snapshot.h"

namespace lanterna::app {
class ProjectStore;
}

namespace lanterna::ui {

class WaveformProvider : public QObject {
  Q_OBJECT

 public:
  using QObject::QObject;

  // The summary once known; before that null, and the first ask starts making it. Null without a project.
  std::shared_ptr<const app::WaveformSummary> waveform(const app::ProjectStore* store, timeline::AssetId asset);

 signals:
  void ready();

 private:
  // Keyed by project file and asset id: ids restart in every project.
  using Key = std::pair<std::string, timeline::AssetId>;
  struct Entry {
    bool started = false;
    std::shared_ptr<const app::WaveformSummary> summary;  // stays null when making it failed (no retry per paint)
  };
  std::map<Key, Entry> entries_;
};

}  // namespace lanterna::ui
