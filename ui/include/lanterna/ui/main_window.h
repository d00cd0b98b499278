// The studio's main window. Usage: MainWindow window; window.show();
// Lives on the UI thread only.
#pragma once

#include <QMainWindow>

namespace lanterna::ui {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
};

}  // namespace lanterna::ui
