// The studio's main window: viewer in the centre, timeline, inspector, queue and history as docks, menus with
// the standard shortcuts. Geometry and dock layout come back between runs (QSettings). Usage:
//   MainWindow window; window.setDocument(makeDemoDocument()); window.show();
// Lives on the UI thread only; it owns the Document and the generation queue.
#pragma once

#include <QMainWindow>

#include <memory>

#include "lanterna/timeline/document.h"

class QAction;

namespace lanterna::app {
class ProjectStore;
}

namespace lanterna::ui {

class HistoryPanel;
class InspectorWidget;
class JobQueue;
class QueuePanel;
class TimelineWidget;
class Transport;
class ViewerWidget;

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
  Transport* transport() const { return transport_; }

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

  std::unique_ptr<timeline::Document> document_;
  std::unique_ptr<JobQueue> queue_;
  std::unique_ptr<app::ProjectStore> store_;  // null until the project is saved or opened
  Transport* transport_ = nullptr;
  ViewerWidget* viewer_ = nullptr;
  TimelineWidget* timeline_ = nullptr;
  InspectorWidget* inspector_ = nullptr;
  QueuePanel* queuePanel_ = nullptr;
  HistoryPanel* historyPanel_ = nullptr;
  QAction* undo_ = nullptr;
  QAction* redo_ = nullptr;
  QAction* play_ = nullptr;
  qint64 previewJob_ = 0;
};

}  // namespace lanterna::ui
