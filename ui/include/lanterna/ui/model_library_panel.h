// The model library panel: every model in the library's folders with its kind, size and whether it can be used
// (or why not), and a dialog to add or remove model folders. Usage:
//   auto* panel = new ModelLibraryPanel;  panel->rescan();
//   connect(panel, &ModelLibraryPanel::modelsScanned, inspector, &InspectorWidget::setModelNames);
// UI thread only; the scan itself (it opens every file's header) runs on a worker thread.
#pragma once

#include <QDialog>
#include <QFutureWatcher>
#include <QWidget>

#include <functional>
#include <vector>

#include "lanterna/app/model_library.h"

class QLabel;
class QListWidget;
class QTreeWidget;

namespace lanterna::ui {

class ModelLibraryPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ModelLibraryPanel(QWidget* parent = nullptr);
  ~ModelLibraryPanel() override;

  // Where the folders come from; defaults to ModelLibrary::fromSettings().
  void setLibrarySource(std::function<app::ModelLibrary()> source);
  const std::vector<app::ModelEntry>& entries() const { return entries_; }
  int rowCount() const;
  bool scanning() const { return watcher_.isRunning(); }

 public slots:
  void rescan();
  void editFolders();

 signals:
  void modelsScanned(const QStringList& usableNames);

 private:
  void showEntries();

  std::function<app::ModelLibrary()> source_;
  QFutureWatcher<std::vector<app::ModelEntry>> watcher_;
  std::vector<app::ModelEntry> entries_;
  bool rescanPending_ = false;
  QTreeWidget* list_ = nullptr;
  QLabel* status_ = nullptr;
};

// Edits the extra model folders (QSettings "models/folders" of "Lanterna"/"Lanterna", as ModelLibrary reads them).
class ModelFoldersDialog : public QDialog {
  Q_OBJECT
 public:
  explicit ModelFoldersDialog(QWidget* parent = nullptr);
  QStringList folders() const;
  void addFolder(const QString& folder);
  void removeSelected();
  void save() const;  // also done on accept()

 private:
  QListWidget* list_ = nullptr;
};

}  // namespace lanterna::ui
