#include "lanterna/ui/main_window.h"

#include <QLabel>

namespace lanterna::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("Lanterna");
  setCentralWidget(new QLabel("Lanterna", this));
  resize(1280, 800);
}

}  // namespace lanterna::ui
