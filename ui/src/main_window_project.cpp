// MainWindow's project files: New, Open and Save As. Kept apart from the panel wiring in main_window.cpp.
#include <QFileDialog>
#include <QMessageBox>
#include <QStatusBar>

#include "lanterna/ui/main_window.h"

namespace lanterna::ui {

void MainWindow::openProject() {
  QMessageBox::information(this, tr("Open Project"), tr("Opening projects arrives with the project store."));
}

void MainWindow::saveProjectAs() {
  QMessageBox::information(this, tr("Save Project"), tr("Saving projects arrives with the project store."));
}

}  // namespace lanterna::ui
