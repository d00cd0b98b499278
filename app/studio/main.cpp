// lanterna: the studio.
#include <QApplication>

#include <cstdlib>
#include <iostream>

#include "lanterna/ui/main_window.h"

namespace {

// Qt aborts when it cannot reach a display; say so plainly instead and let the caller see a non-zero exit.
bool displayAvailable() {
  const char* platform = std::getenv("QT_QPA_PLATFORM");
  if (platform && *platform) return true;  // offscreen, vnc, ... chosen explicitly
  const char* x11 = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  return (x11 && *x11) || (wayland && *wayland);
}

}  // namespace

int main(int argc, char** argv) {
  if (!displayAvailable()) {
    std::cerr << "lanterna: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
                 "Run it from a desktop session, under Xvfb (xvfb-run ./setup.sh studio), or use lanterna-cli.\n";
    return 2;
  }
  QApplication application(argc, argv);
  QApplication::setOrganizationName("Lanterna");
  QApplication::setApplicationName("Lanterna");
  lanterna::ui::MainWindow window;
  window.show();
  return QApplication::exec();
}
