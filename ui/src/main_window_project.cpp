// MainWindow's project files: Open, Save As, saving every edit, and the history panel. Kept apart from the panel
// wiring in main_window.cpp.
#include <QCryptographicHash>
#include <QFileDialog>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>

#include "lanterna/app/generation_service.h"
#include "lanterna/app/project_store.h"
#include "lanterna/ui/history_panel.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/timeline_widget.h"
#include "lanterna/ui/transport.h"

namespace lanterna::ui {

namespace {
const char* kProjectFilter = "Lanterna projects (*.lanterna)";

// Per project file, in the application's settings: the view is the user's, not part of the project's content.
QString viewKey(const app::ProjectStore& store) {
  const QByteArray path = QString::fromStdString(std::filesystem::absolute(store.file()).string()).toUtf8();
  return "projectView/" + QCryptographicHash::hash(path, QCryptographicHash::Sha1).toHex().left(16);
}
}  // namespace

void MainWindow::saveViewState() const {
  if (!store_ || holdViewState_) return;
  QSettings settings;
  settings.beginGroup(viewKey(*store_));
  settings.setValue("selection", qint64(timeline_->selectedItem()));
  settings.setValue("playhead", qint64(transport_->playhead().frames));
  settings.setValue("pixelsPerFrame", timeline_->pixelsPerFrame());
  settings.endGroup();
}

// Only what still exists comes back: an item deleted by another tool is simply not selected.
void MainWindow::restoreViewState() {
  if (!store_) return;
  QSettings settings;
  settings.beginGroup(viewKey(*store_));
  if (!settings.contains("playhead")) return;
  holdViewState_ = true;
  const qint64 selected = settings.value("selection").toLongLong();
  if (document_->item(selected)) timeline_->setSelectedItem(selected);
  transport_->setPlayhead(timeline::FrameTime{std::max<qint64>(0, settings.value("playhead").toLongLong())});
  if (const double zoom = settings.value("pixelsPerFrame").toDouble(); zoom > 0) timeline_->setPixelsPerFrame(zoom);
  holdViewState_ = false;
}

void MainWindow::openProject() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open Project"), {}, tr(kProjectFilter));
  if (!path.isEmpty()) openProjectFile(path);
}

void MainWindow::saveProjectAs() {
  QString path = QFileDialog::getSaveFileName(this, tr("Save Project As"), {}, tr(kProjectFilter));
  if (path.isEmpty()) return;
  if (!path.endsWith(".lanterna")) path += ".lanterna";
  saveProjectTo(path);
}

bool MainWindow::openProjectFile(const QString& path) {
  auto store = app::ProjectStore::open(path.toStdString());
  auto fail = [&](const Error& error) {
    QMessageBox::warning(this, tr("Cannot open project"), QString::fromStdString(error.message));
    return false;
  };
  if (!store) return fail(store.error());
  auto snapshot = store->load();
  if (!snapshot) return fail(snapshot.error());
  auto document = timeline::Document::fromSnapshot(*snapshot);
  if (!document) return fail(document.error());
  if (generation_) generation_->setProject(nullptr, nullptr);  // the old store goes now
  saveViewState();
  store_ = std::make_unique<app::ProjectStore>(std::move(*store));
  holdViewState_ = true;  // switching documents clears the selection: not the user's choice
  setDocument(std::move(*document));
  holdViewState_ = false;
  restoreViewState();
  refreshHistory();
  showStatus(store_->readOnly() ? tr("Opened %1 read-only").arg(path) : tr("Opened %1").arg(path));
  return true;
}

// The new file is written whole before the window switches to it, so a refusal leaves the old project as it was.
bool MainWindow::saveProjectTo(const QString& path) {
  auto store = app::ProjectStore::create(path.toStdString(), document()->settings());
  if (store) {
    if (auto saved = store->save(document()->snapshot()); !saved) store = saved.error();
  }
  if (!store) {
    QMessageBox::warning(this, tr("Cannot save project"), QString::fromStdString(store.error().message));
    return false;
  }
  store_ = std::make_unique<app::ProjectStore>(std::move(*store));
  attachGeneration();
  refreshHistory();
  showStatus(tr("Saved %1").arg(path));
  return true;
}

// Every edit is saved as it happens (one transaction per change), so there is no "unsaved changes" state.
void MainWindow::autosave() {
  if (!store_ || store_->readOnly()) return;
  if (auto saved = store_->save(document()->snapshot()); !saved)
    showStatus(tr("Not saved: %1").arg(QString::fromStdString(saved.error().message)));
}

}  // namespace lanterna::ui
