// The editor's playback keys on a real MainWindow: J/K/L shuttle, I/O marks, arrows.
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include "lanterna/ui/demo_document.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/transport.h"

using namespace lanterna;
using timeline::FrameTime;

class PlaybackKeysTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY(settingsDir_.isValid());
    QCoreApplication::setOrganizationName("LanternaTest");
    QCoreApplication::setApplicationName("PlaybackKeysTest");
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_.path());
  }

  void shuttleSpeedsUpAndStops() {
    ui::MainWindow window;
    window.setDocument(ui::makeDemoDocument());
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    auto* transport = window.transport();
    transport->setPlayhead(FrameTime{48});
    QTest::keyClick(&window, Qt::Key_L);
    QVERIFY(transport->playing());
    QCOMPARE(transport->speed(), 1);
    QTest::keyClick(&window, Qt::Key_L);
    QCOMPARE(transport->speed(), 2);
    QTRY_VERIFY(transport->playhead() > FrameTime{52});
    QTest::keyClick(&window, Qt::Key_K);
    QVERIFY(!transport->playing());
    const FrameTime stopped = transport->playhead();
    QTest::keyClick(&window, Qt::Key_J);
    QCOMPARE(transport->speed(), -1);
    QTRY_VERIFY(transport->playhead() < stopped);
    QTest::keyClick(&window, Qt::Key_K);
    QVERIFY(!transport->playing());
  }

  void marksAndFrameSteps() {
    ui::MainWindow window;
    window.setDocument(ui::makeDemoDocument());
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    auto* transport = window.transport();
    transport->setPlayhead(FrameTime{10});
    QTest::keyClick(&window, Qt::Key_I);
    QTest::keyClick(&window, Qt::Key_Right);
    QTest::keyClick(&window, Qt::Key_Right);
    QCOMPARE(transport->playhead(), FrameTime{12});
    QTest::keyClick(&window, Qt::Key_O);
    QCOMPARE(transport->inPoint(), FrameTime{10});
    QCOMPARE(transport->outPoint(), FrameTime{12});
    QTest::keyClick(&window, Qt::Key_Left);
    QCOMPARE(transport->playhead(), FrameTime{11});
  }

 private:
  QTemporaryDir settingsDir_;
};

QTEST_MAIN(PlaybackKeysTest)
#include "playback_keys_test.moc"
