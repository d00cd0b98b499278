// Speed and conform from the clip menu: real QMenu actions, edits on the undo stack, refusals reported.
#include <QMenu>
#include <QMenuBar>
#include <QTest>

#include "lanterna/timeline/clip_speed.h"
#include "lanterna/ui/clip_speed_menu.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/timeline_widget.h"

using namespace lanterna;
using timeline::FrameTime;

namespace {

struct Clip {
  std::unique_ptr<timeline::Document> document = std::make_unique<timeline::Document>();
  timeline::ItemId id = 0;
  Clip() {
    const auto track = document->requestAddTrack(timeline::TrackKind::Video, "V1").createdId;
    timeline::VideoPayload payload;
    payload.asset = 1;
    payload.sourceDuration = FrameTime{48};
    id = document->requestInsertItem(track, FrameTime{0}, FrameTime{48}, payload).createdId;
  }
  const timeline::VideoPayload& video() const { return std::get<timeline::VideoPayload>(document->item(id)->payload); }
};

QAction* named(QObject& root, const char* name) { return root.findChild<QAction*>(name); }

}  // namespace

class ClipSpeedMenuTest : public QObject {
  Q_OBJECT

 private slots:
  void conformEntriesAreUndoable() {
    Clip clip;
    QMenu menu;
    QWidget parent;
    ui::addClipSpeedEntries(menu, *clip.document, clip.id, &parent, {});
    QAction* flow = named(menu, "conformFlowAction");
    QVERIFY(flow && named(menu, "conformRepeatAction") && named(menu, "clipSpeedAction"));
    QVERIFY(named(menu, "conformRepeatAction")->isChecked());
    flow->trigger();
    QCOMPARE(clip.video().conform, timeline::ConformMode::Interpolate);
    clip.document->undoStack().undo();
    QCOMPARE(clip.video().conform, timeline::ConformMode::Repeat);
  }

  void speedTextIsAppliedOrRefusedWithAReason() {
    Clip clip;
    QStringList reasons;
    auto sink = [&](const QString& why) { reasons << why; };
    QVERIFY(ui::applySpeedText(*clip.document, clip.id, " 50% ", sink));
    QCOMPARE(clip.document->item(clip.id)->duration, FrameTime{96});
    QCOMPARE(clip.document->undoStack().undoText(), QString("Change clip speed"));
    QVERIFY(!ui::applySpeedText(*clip.document, clip.id, "fast", sink));
    QVERIFY(!ui::applySpeedText(*clip.document, clip.id, "1/100", sink));
    QCOMPARE(reasons.size(), 2);
    QVERIFY(reasons[0].contains("not a speed"));
    QVERIFY(reasons[1].contains("between"));
    QCOMPARE(clip.video().speed, (timeline::Rational{1, 2}));
  }

  void nothingForItemsThatAreNotClips() {
    timeline::Document document;
    const auto track = document.requestAddTrack(timeline::TrackKind::Prompt, "P").createdId;
    const auto prompt = document.requestInsertItem(track, FrameTime{0}, FrameTime{10}, timeline::PromptPayload{}).createdId;
    QMenu menu;
    ui::addClipSpeedEntries(menu, document, prompt, nullptr, {});
    QVERIFY(menu.isEmpty());
  }

  void editMenuActsOnTheSelectedClip() {
    ui::MainWindow window;
    Clip clip;
    const auto id = clip.id;
    window.setDocument(std::move(clip.document));
    window.timeline()->setSelectedItem(id);
    auto* menu = window.menuBar()->findChild<QMenu*>("clipMenu");
    QVERIFY(menu);
    emit menu->aboutToShow();
    emit menu->aboutToShow();  // built afresh each time, not twice over
    QCOMPARE(menu->findChildren<QAction*>("conformFlowAction").size(), 1);
    named(*menu, "conformFlowAction")->trigger();
    const auto& video = std::get<timeline::VideoPayload>(window.document()->item(id)->payload);
    QCOMPARE(video.conform, timeline::ConformMode::Interpolate);
  }
};

QTEST_MAIN(ClipSpeedMenuTest)
#include "clip_speed_menu_test.moc"
