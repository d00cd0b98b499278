// lanterna: the studio.
//   lanterna [--demo] [--screenshot PATH]
//   lanterna --project P --automate edits,generate,export   (scripted run, see studio_automation.h)
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdlib>
#include <iostream>
#include <variant>

#include "lanterna/ui/demo_document.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/theme.h"
#include "lanterna/ui/timeline_widget.h"
#include "lanterna/ui/transport.h"
#include "studio_automation.h"

namespace {

// Qt aborts when it cannot reach a display; say so plainly instead and let the caller see a non-zero exit.
bool displayAvailable() {
  const char* platform = std::getenv("QT_QPA_PLATFORM");
  if (platform && *platform) return true;  // offscreen, vnc, ... chosen explicitly
  const char* x11 = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  return (x11 && *x11) || (wayland && *wayland);
}

constexpr int kScreenshotDelayMs = 700;  // lets the window manager map the window and the docks settle

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
  lanterna::ui::applyDarkTheme(application);
  if (lanterna::studio::automationRequested(argc, argv)) return lanterna::studio::runAutomation(application);

  QCommandLineParser options;
  options.setApplicationDescription("Lanterna: a native desktop studio for AI video.");
  options.addHelpOption();
  QCommandLineOption demo("demo", "Open the demo project.");
  QCommandLineOption screenshot("screenshot", "Save a PNG of the window once it is shown, then quit.", "PATH");
  options.addOptions({demo, screenshot});
  options.process(application);

  lanterna::ui::MainWindow window(lanterna::ui::makeGenerationJobQueue());
  if (options.isSet(demo)) {
    window.setDocument(lanterna::ui::makeDemoDocument());
    // Start on the first prompt item, a second in, so the inspector and viewer have something to show.
    for (const auto& item : window.document()->snapshot().items)
      if (std::holds_alternative<lanterna::timeline::PromptPayload>(item.payload)) {
        window.timeline()->setSelectedItem(item.id);
        break;
      }
    window.transport()->setPlayhead(lanterna::timeline::FrameTime{30});
  }
  window.show();

  if (options.isSet(screenshot)) {
    const QString path = options.value(screenshot);
    QTimer::singleShot(kScreenshotDelayMs, &window, [&window, path] {
      if (!window.grab().save(path, "PNG")) {
        std::cerr << "lanterna: cannot write the screenshot to \"" << path.toStdString() << "\".\n";
        QApplication::exit(1);
        return;
      }
      std::cout << "Saved " << path.toStdString() << "\n";
      QApplication::exit(0);
    });
  }
  return QApplication::exec();
}
