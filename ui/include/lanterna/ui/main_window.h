// The studio's main window: viewer in the centre, timeline, inspector, queue and history as docks, menus with
// the standard shortcuts. Geometry and dock layout come back between runs (QSettings). Usage:
//   MainWindow window; window.setDocument(makeDemoDocument()); window.show();
// Lives on the UI thread only; it owns the Document and the generation queue.
#pragma once

#include <QMainWindow>

#include <memory>

#include "lanterna/app/generation_queue.h"
#include "lanterna/timeline/document.h"
#include "lanterna/ui/timeline_widget.h"

class QAction;

namespace lanterna::app {
class GenerationService;
class ProjectStore;
}

namespace lanterna::ui {

class HistoryPanel;
class InspectorWidget;
class JobQueue;
class ModelLibraryPanel;
class QueuePanel;
class TimelineWidget;
class Transport;
class ViewerWidget;
class WaveformProvider;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  // Without a queue the studio edits but cannot generate (tests, builds without an engine).
  explicit MainWindow(std::unique_ptr<JobQueue> queue = nullptr, QWidget* parent = nullptr);
  ~MainWindow() override;

  void setDocument(std::unique_ptr<timeline::Document> document);
  timeline::Document* document() const { return document_.get(); }

  TimelineWidget* timeline() const { return timeline_; }
  InspectorWidget* inspector() const { return inspector_; }
  ViewerWidget* viewer() const { return viewer_; }
  QueuePanel* queuePanel() const { return queuePanel_; }
  HistoryPanel* historyPanel() const { return historyPanel_; }
  ModelLibraryPanel* modelPanel() const { return modelPanel_; }
  Transport* transport() const { return transport_; }
  app::GenerationService* generationService() const { return generation_.get(); }
  app::ProjectStore* projectStore() const { return store_.get(); }

  // Window geometry and dock layout under "mainWindow/..." in the application's QSettings.
  void saveLayout() const;
  // Opens a project file into the window; false (after telling the user why) when it cannot be read.
  bool openProjectFile(const QString& path);
  bool saveProjectTo(const QString& path);
  bool restoreLayout();

 public slots:
  void newProject();
  void openProject();
  void saveProjectAs();
  void deleteSelected();
  void splitAtPlayhead();
  void generate(qint64 item);
  // Generates the selected prompt item, or the prompt above the selected clip (a new take).
  void generateSelected();
  void cancelSelected();
  void chooseTake(int offset);  // on the selected clip: -1 previous, +1 next (undoable)
  void setCompareTakes(bool compare);
  // History actions on a generation of this project.
  void reuseSettings(qint64 generation);
  void placeTake(qint64 generation);
  void revealGeneration(qint64 generation);
  void openImage();
  // Puts the settings a PNG was made with (its "parameters" text) on the selected prompt item.
  bool applyParametersFromPng(const QString& path);
  // Files dropped on the timeline: images on a reference track become reference (photo) items there; anything
  // else goes through the app's media import onto the track (or the first fitting one). One undo step; the first
  // new item is selected. False (after saying why in the status bar) when nothing was imported.
  bool importFiles(const QStringList& paths, qint64 track, qint64 frame);
  // Image-to-video from a photo item: its linked prompt item (made when missing, with the inspector's frames, fps
  // and motion, the photo as its reference image) is generated; the clip lands on the video track under it.
  void animate(qint64 item);
  bool isAnimatable(qint64 item) const;

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void createDocks();
  void createActions();
  void connectQueue();
  void refreshFromDocument();
  void updateViewer();
  void showStatus(const QString& message);
  void autosave();
  void refreshHistory();
  void createGenerationActions();
  void connectPhotos();
  // Selection, playhead and zoom of the open project, kept per project file (QSettings).
  void saveViewState() const;
  void restoreViewState();
  bool ensureStore();
  timeline::ItemId linkedPrompt(const timeline::Item& photo, timeline::AssetId asset) const;
  void connectHistory();
  void attachGeneration();
  void showClipPreview(qint64 clip);
  void finishClip(qint64 clip, app::JobState state, const QString& message);
  timeline::ItemId promptAbove(timeline::ItemId clip) const;
  // The take's frame `seconds` into its media (frame 0 by default: thumbnails).
  QImage takeImage(const timeline::Item& item, int take, double seconds = 0.0) const;
  ItemDecoration decorationFor(timeline::ItemId id) const;

  std::unique_ptr<timeline::Document> document_;
  std::unique_ptr<JobQueue> queue_;
  std::unique_ptr<app::ProjectStore> store_;  // null until the project is saved or opened
  std::unique_ptr<app::GenerationService> generation_;  // null without an engine-backed queue
  Transport* transport_ = nullptr;
  ViewerWidget* viewer_ = nullptr;
  TimelineWidget* timeline_ = nullptr;
  InspectorWidget* inspector_ = nullptr;
  QueuePanel* queuePanel_ = nullptr;
  HistoryPanel* historyPanel_ = nullptr;
  ModelLibraryPanel* modelPanel_ = nullptr;
  WaveformProvider* waveforms_ = nullptr;
  QAction* undo_ = nullptr;
  QAction* redo_ = nullptr;
  QAction* play_ = nullptr;
  qint64 previewJob_ = 0;
  qint64 previewClip_ = 0;  // the generating clip whose preview the viewer shows
  bool compareTakes_ = false;
  bool holdViewState_ = false;
  bool historyRefreshPending_ = false;
};

}  // namespace lanterna::ui
