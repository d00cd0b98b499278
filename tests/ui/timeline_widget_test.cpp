// The timeline driven with real mouse events: select, drag (one undo step), trim.
#include <QApplication>
#include <QSignalSpy>
#include <QWheelEvent>
#include <QTest>

#include "demo_helpers.h"
#include "lanterna/ui/demo_document.h"
#include "lanterna/ui/timeline_widget.h"
#include "lanterna/ui/transport.h"

using namespace lanterna;
using lanterna::ui::testing::firstItemOf;

class TimelineWidgetTest : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    document_ = ui::makeDemoDocument();
    transport_ = std::make_unique<ui::Transport>();
    transport_->setPlayhead(timeline::FrameTime{500});  // far away, so nothing snaps to it
    widget_ = std::make_unique<ui::TimelineWidget>();
    widget_->setDocument(document_.get());
    widget_->setTransport(transport_.get());
    widget_->resize(1200, 300);
    widget_->setPixelsPerFrame(4.0);
    widget_->show();
    QVERIFY(QTest::qWaitForWindowExposed(widget_.get()));
  }

  void cleanup() {
    widget_.reset();
    transport_.reset();
    document_.reset();
  }

  void clickSelectsItem() {
    const auto audio = firstItemOf<timeline::AudioPayload>(*document_);
    QSignalSpy selected(widget_.get(), &ui::TimelineWidget::selectionChanged);
    QTest::mouseClick(widget_.get(), Qt::LeftButton, {}, widget_->itemRect(audio).center());
    QCOMPARE(widget_->selectedItem(), audio);
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.front().front().toLongLong(), audio);
    // A click on empty track space clears the selection; nothing in the document changed.
    QTest::mouseClick(widget_.get(), Qt::LeftButton, {}, QPoint(1150, widget_->itemRect(audio).center().y()));
    QCOMPARE(widget_->selectedItem(), 0);
    QCOMPARE(document_->undoStack().count(), 0);
  }

  void dragMovesInOneUndoStep() {
    const auto audio = firstItemOf<timeline::AudioPayload>(*document_);
    const auto before = document_->snapshot();
    const QPoint from = widget_->itemRect(audio).center();
    QTest::mousePress(widget_.get(), Qt::LeftButton, {}, from);
    for (int dx = 8; dx <= 40; dx += 8) QTest::mouseMove(widget_.get(), from + QPoint(dx, 0));
    QTest::mouseRelease(widget_.get(), Qt::LeftButton, {}, from + QPoint(40, 0));

    QCOMPARE(document_->item(audio)->start.frames, 10);  // 40 px at 4 px per frame
    QCOMPARE(document_->undoStack().count(), 1);
    QVERIFY(document_->checkConsistency());
    document_->undoStack().undo();
    QVERIFY(document_->snapshot() == before);
  }

  void dragOntoOccupiedSpotIsRefusedAndLeavesItem() {
    const auto prompt = firstItemOf<timeline::PromptPayload>(*document_);
    const auto before = document_->snapshot();
    QSignalSpy refused(widget_.get(), &ui::TimelineWidget::editRefused);
    const QPoint from = widget_->itemRect(prompt).center();
    QTest::mousePress(widget_.get(), Qt::LeftButton, {}, from);
    QTest::mouseMove(widget_.get(), from + QPoint(60, 0));  // onto the next prompt item
    QTest::mouseRelease(widget_.get(), Qt::LeftButton, {}, from + QPoint(60, 0));
    QVERIFY(document_->snapshot() == before);
    QCOMPARE(document_->undoStack().count(), 0);
    QVERIFY(refused.count() >= 1);
  }

  void trimEndInOneUndoStep() {
    const auto video = firstItemOf<timeline::VideoPayload>(*document_);
    const auto before = document_->snapshot();
    const QRect box = widget_->itemRect(video);
    const QPoint edge(box.right(), box.center().y());
    QTest::mousePress(widget_.get(), Qt::LeftButton, {}, edge);
    QTest::mouseMove(widget_.get(), edge - QPoint(20, 0));
    QTest::mouseMove(widget_.get(), edge - QPoint(40, 0));
    QTest::mouseRelease(widget_.get(), Qt::LeftButton, {}, edge - QPoint(40, 0));

    const auto* trimmed = document_->item(video);
    QCOMPARE(trimmed->start.frames, 0);
    QCOMPARE(trimmed->duration.frames, 96 - 10);
    QCOMPARE(document_->undoStack().count(), 1);
    QVERIFY(document_->checkConsistency());
    document_->undoStack().undo();
    QVERIFY(document_->snapshot() == before);
  }

  void ctrlWheelZooms() {
    const double before = widget_->pixelsPerFrame();
    QWheelEvent wheel(QPointF(400, 100), widget_->mapToGlobal(QPointF(400, 100)), {}, QPoint(0, 120),
                      Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(widget_.get(), &wheel);
    QVERIFY(widget_->pixelsPerFrame() > before);
  }

 private:
  std::unique_ptr<timeline::Document> document_;
  std::unique_ptr<ui::Transport> transport_;
  std::unique_ptr<ui::TimelineWidget> widget_;
};

QTEST_MAIN(TimelineWidgetTest)
#include "timeline_widget_test.moc"
