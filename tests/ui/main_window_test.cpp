// The main window's shortcuts and layout persistence, with real key events and a temporary settings folder.
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include "demo_helpers.h"
#include "lanterna/app/project_store.h"
#include "lanterna/ui/demo_document.h"
#include "lanterna/ui/history_panel.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/timeline_widget.h"
#include "lanterna/ui/transport.h"

using namespace lanterna;
using lanterna::ui::testing::countOf;
using lanterna::ui::testing::firstItemOf;

class MainWindowTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY(settingsDir_.isValid());
    QCoreApplication::setOrganizationName("LanternaTest");
    QCoreApplication::setApplicationName("MainWindowTest");
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_.path());
  }

  void splitAtPlayheadShortcut() {
    ui::MainWindow window;
    showDemo(window);
    auto* document = window.document();
    const auto audio = firstItemOf<timeline::AudioPayload>(*document);
    window.timeline()->setSelectedItem(audio);
    window.transport()->setPlayhead(timeline::FrameTime{100});
    QTest::keyClick(&window, Qt::Key_K, Qt::ControlModifier);
    QCOMPARE(countOf<timeline::AudioPayload>(*document), 2);
    QCOMPARE(document->item(audio)->end().frames, 100);
    QVERIFY(document->checkConsistency());
    QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);  // undo
    QCOMPARE(countOf<timeline::AudioPayload>(*document), 1);
  }

  void deleteShortcutRemovesSelection() {
    ui::MainWindow window;
    showDemo(window);
    auto* document = window.document();
    const auto video = firstItemOf<timeline::VideoPayload>(*document);
    window.timeline()->setSelectedItem(video);
    QTest::keyClick(&window, Qt::Key_Delete);
    QVERIFY(document->item(video) == nullptr);
    QCOMPARE(window.timeline()->selectedItem(), 0);
    QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);  // redo: nothing to redo
    QVERIFY(document->item(video) == nullptr);
    QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(document->item(video) != nullptr);
  }

  void spaceTogglesPlayback() {
    ui::MainWindow window;
    showDemo(window);
    QTest::keyClick(&window, Qt::Key_Space);
    QVERIFY(window.transport()->playing());
    QTRY_VERIFY(window.transport()->playhead().frames > 0);
    QTest::keyClick(&window, Qt::Key_Space);
    QVERIFY(!window.transport()->playing());
  }

  void geometryRestoredOnNextRun() {
    QRect saved;
    {
      ui::MainWindow first;
      first.show();
      QVERIFY(QTest::qWaitForWindowExposed(&first));
      first.resize(1111, 777);
      QTest::qWait(50);
      saved = first.geometry();
      first.close();  // saves the layout, as quitting does
    }
    ui::MainWindow second;  // restores in its constructor
    second.show();
    QVERIFY(QTest::qWaitForWindowExposed(&second));
    QCOMPARE(second.size(), saved.size());
    QVERIFY(QSettings().contains("mainWindow/state"));
  }

  void saveThenOpenGivesBackDocumentAndHistory() {
    const QString path = settingsDir_.filePath("demo.lanterna");
    timeline::DocumentSnapshot saved;
    {
      ui::MainWindow first;
      first.setDocument(ui::makeDemoDocument());
      QVERIFY(first.saveProjectTo(path));
      // Edits after Save As are saved as they happen.
      const auto audio = firstItemOf<timeline::AudioPayload>(*first.document());
      QVERIFY(first.document()->requestMove(audio, first.document()->item(audio)->track, timeline::FrameTime{4}).ok);
      saved = first.document()->snapshot();
    }
    {
      auto store = app::ProjectStore::open(path.toStdString());
      QVERIFY(store.ok());
      app::GenerationRecord record;
      record.request.prompt = "lanterns";
      QVERIFY(store->addGeneration(record).ok());
    }
    ui::MainWindow second;
    QVERIFY(second.openProjectFile(path));
    QVERIFY(second.document()->snapshot() == saved);
    QCOMPARE(second.historyPanel()->visibleCount(), 1);
  }

 private:
  void showDemo(ui::MainWindow& window) {
    window.setDocument(ui::makeDemoDocument());
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
  }

  QTemporaryDir settingsDir_;
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
