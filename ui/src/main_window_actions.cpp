// MainWindow's menus, toolbar and shortcuts. Kept apart from the panel wiring in main_window.cpp.
#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QStyle>
#include <QToolBar>
#include <QUndoStack>

#include "lanterna/app/version.h"
#include "lanterna/ui/clip_speed_menu.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/model_library_panel.h"
#include "lanterna/ui/timeline_widget.h"
#include "lanterna/ui/transport.h"

namespace lanterna::ui {

void MainWindow::createActions() {
  auto action = [this](QMenu* menu, const QString& text, QList<QKeySequence> keys, auto slot,
                       QStyle::StandardPixmap icon = QStyle::SP_CustomBase) {
    auto* created = menu->addAction(text);
    created->setShortcuts(keys);
    if (icon != QStyle::SP_CustomBase) created->setIcon(style()->standardIcon(icon));
    connect(created, &QAction::triggered, this, slot);
    return created;
  };

  QMenu* file = menuBar()->addMenu(tr("&File"));
  auto* newAction = action(file, tr("&New Project"), {QKeySequence::New}, &MainWindow::newProject,
                           QStyle::SP_FileIcon);
  auto* openAction = action(file, tr("&Open…"), {QKeySequence::Open}, &MainWindow::openProject,
                            QStyle::SP_DialogOpenButton);
  auto* saveAction = action(file, tr("Save &As…"), {QKeySequence::SaveAs}, &MainWindow::saveProjectAs,
                            QStyle::SP_DialogSaveButton);
  file->addSeparator();
  action(file, tr("&Quit"), {QKeySequence::Quit}, &QWidget::close);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  undo_ = action(edit, tr("&Undo"), {QKeySequence::Undo}, [this] { document_->undoStack().undo(); },
                 QStyle::SP_ArrowBack);
  // Platforms differ on Redo (Ctrl+Shift+Z, Ctrl+Y or both); a sequence listed twice would be ambiguous and never fire.
  QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
  for (const QKeySequence& extra : {QKeySequence(Qt::CTRL | Qt::Key_Y), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)})
    if (!redoKeys.contains(extra)) redoKeys << extra;
  redo_ = action(edit, tr("&Redo"), redoKeys,
                 [this] { document_->undoStack().redo(); }, QStyle::SP_ArrowForward);
  edit->addSeparator();
  auto* deleteAction = action(edit, tr("&Delete"), {QKeySequence::Delete, QKeySequence(Qt::Key_Backspace)},
                              &MainWindow::deleteSelected, QStyle::SP_TrashIcon);
  auto* splitAction = action(edit, tr("&Split at Playhead"), {QKeySequence(Qt::CTRL | Qt::Key_K), QKeySequence(Qt::Key_S)},
                             &MainWindow::splitAtPlayhead);
  splitAction->setIcon(QIcon::fromTheme("edit-cut", style()->standardIcon(QStyle::SP_ToolBarVerticalExtensionButton)));
  // Speed and conform of the selected clip, built when the menu opens (clip_speed_menu.h).
  QMenu* clipMenu = edit->addMenu(tr("C&lip"));
  clipMenu->setObjectName("clipMenu");
  connect(clipMenu, &QMenu::aboutToShow, this, [this, clipMenu] {
    clipMenu->clear();
    qDeleteAll(clipMenu->findChildren<QMenu*>(Qt::FindDirectChildrenOnly));
    addClipSpeedEntries(*clipMenu, *document_, timeline_->selectedItem(), this, [this](const QString& why) { showStatus(why); });
    if (clipMenu->isEmpty()) clipMenu->addAction(tr("Select a video clip"))->setEnabled(false);
  });
  // The same entries on the clip's right-click menu.
  connect(timeline_, &TimelineWidget::itemMenuRequested, this, [this](QMenu* menu, qint64 id) {
    if (!document_) return;
    if (!menu->isEmpty()) menu->addSeparator();  // collapses when nothing follows
    addClipSpeedEntries(*menu, *document_, id, this, [this](const QString& why) { showStatus(why); });
  });

  edit->addSeparator();
  action(edit, tr("&Model Folders…"), {QKeySequence::Preferences}, [this] { modelPanel_->editFolders(); });

  QMenu* playback = menuBar()->addMenu(tr("&Playback"));
  play_ = action(playback, tr("&Play / Pause"), {QKeySequence(Qt::Key_Space)}, [this] { transport_->togglePlay(); },
                 QStyle::SP_MediaPlay);
  action(playback, tr("Go to &Start"), {QKeySequence(Qt::Key_Home)}, [this] { transport_->goToStart(); },
         QStyle::SP_MediaSkipBackward);
  action(playback, tr("Go to &End"), {QKeySequence(Qt::Key_End)}, [this] { transport_->goToEnd(); },
         QStyle::SP_MediaSkipForward);
  action(playback, tr("&Previous Frame"), {QKeySequence(Qt::Key_Left)}, [this] { transport_->stepFrames(-1); });
  action(playback, tr("&Next Frame"), {QKeySequence(Qt::Key_Right)}, [this] { transport_->stepFrames(1); });
  playback->addSeparator();
  action(playback, tr("Shuttle &Backward"), {QKeySequence(Qt::Key_J)}, [this] { transport_->shuttleBackward(); });
  action(playback, tr("&Stop"), {QKeySequence(Qt::Key_K)}, [this] { transport_->pause(); });
  action(playback, tr("Shuttle &Forward"), {QKeySequence(Qt::Key_L)}, [this] { transport_->shuttleForward(); });
  action(playback, tr("Mark &In"), {QKeySequence(Qt::Key_I)}, [this] { transport_->setInPoint(); });
  action(playback, tr("Mark &Out"), {QKeySequence(Qt::Key_O)}, [this] { transport_->setOutPoint(); });

  QMenu* view = menuBar()->addMenu(tr("&View"));
  action(view, tr("Zoom &In"), {QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)},
         [this] { timeline_->zoomIn(); });
  action(view, tr("Zoom &Out"), {QKeySequence::ZoomOut}, [this] { timeline_->zoomOut(); });
  action(view, tr("Zoom to &Fit"), {QKeySequence(Qt::SHIFT | Qt::Key_Z)}, [this] { timeline_->zoomToFit(); });
  view->addSeparator();
  for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  action(help, tr("&About Lanterna"), {}, [this] {
    QMessageBox::about(this, tr("About Lanterna"),
                       tr("<b>Lanterna %1</b><p>A native desktop studio for AI video.</p>").arg(app::versionString()));
  });

  auto* toolbar = addToolBar(tr("Main"));
  toolbar->setObjectName("mainToolbar");
  toolbar->setMovable(false);
  toolbar->setIconSize({18, 18});
  toolbar->addActions({newAction, openAction, saveAction});
  toolbar->addSeparator();
  toolbar->addActions({undo_, redo_});
  toolbar->addSeparator();
  toolbar->addActions({splitAction, deleteAction});
  toolbar->addSeparator();
  toolbar->addAction(play_);
}

}  // namespace lanterna::ui
