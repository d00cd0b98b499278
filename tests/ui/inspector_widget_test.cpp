// The inspector driven by typing: accepted edits reach the document as one undo step, refused ones say why.
#include <QLineEdit>
#include <QTest>

#include "demo_helpers.h"
#include "lanterna/ui/demo_document.h"
#include "lanterna/ui/inspector_widget.h"

using namespace lanterna;
using lanterna::ui::testing::firstItemOf;

class InspectorWidgetTest : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    document_ = ui::makeDemoDocument();
    item_ = firstItemOf<timeline::PromptPayload>(*document_);
    inspector_ = std::make_unique<ui::InspectorWidget>();
    inspector_->setDocument(document_.get());
    inspector_->showItem(item_);
    inspector_->resize(360, 700);
    inspector_->show();
    QVERIFY(QTest::qWaitForWindowExposed(inspector_.get()));
  }

  void cleanup() {
    inspector_.reset();
    document_.reset();
  }

  void typedStepsGoIntoDocumentAndUndo() {
    type("steps", "30");
    QCOMPARE(settings().steps, 30);
    QCOMPARE(document_->undoStack().count(), 1);
    QVERIFY(inspector_->fieldError("steps").isEmpty());
    document_->undoStack().undo();
    QCOMPARE(settings().steps, 20);
    QCOMPARE(field("steps")->text(), QString("20"));  // the field follows the undo
  }

  void invalidValueIsRefusedWithReason() {
    const auto before = document_->snapshot();
    type("steps", "0");
    QVERIFY(inspector_->fieldError("steps").contains("between 1 and 150"));
    type("width", "500");
    QVERIFY(inspector_->fieldError("width").contains("multiple of 8"));
    type("fps", "29.97");
    QVERIFY(inspector_->fieldError("fps").contains("30000/1001"));
    QVERIFY(document_->snapshot() == before);
    QCOMPARE(document_->undoStack().count(), 0);
    type("fps", "30000/1001");  // corrected: accepted and the reason goes away
    QVERIFY(inspector_->fieldError("fps").isEmpty());
    QVERIFY((settings().fps == timeline::FrameRate{30000, 1001}));
  }

  // Frames, fps and duration describe one length: editing one updates the others and trims the item with it.
  void framesFpsAndDurationFollowTheItemLength() {
    QCOMPARE(document_->item(item_)->duration, timeline::FrameTime{72});  // 24 frames at 8 fps = 3 s at 24 fps
    type("duration", "2");
    QCOMPARE(settings().frames, 16);
    QCOMPARE(document_->item(item_)->duration, timeline::FrameTime{48});
    QCOMPARE(field("frames")->text(), QString("16"));
    QCOMPARE(document_->undoStack().count(), 1);  // settings and trim: one step
    type("fps", "16");
    QCOMPARE(settings().frames, 16);
    QCOMPARE(document_->item(item_)->duration, timeline::FrameTime{24});
    QCOMPARE(field("duration")->text(), QString("1.00"));
    document_->undoStack().undo();
    document_->undoStack().undo();
    QCOMPARE(settings().frames, 24);
    QCOMPARE(document_->item(item_)->duration, timeline::FrameTime{72});
    // 40 frames at 8 fps = 5 s would run into the next prompt item: refused, with the reason, nothing changed.
    const auto before = document_->snapshot();
    type("frames", "40");
    QVERIFY2(inspector_->fieldError("frames").contains("cannot be 5.00 s long"), qPrintable(inspector_->fieldError("frames")));
    QVERIFY(document_->snapshot() == before);
  }

  void nonPromptItemShowsHint() {
    inspector_->showItem(firstItemOf<timeline::VideoPayload>(*document_));
    QVERIFY(!field("steps")->isVisible());
  }

 private:
  QLineEdit* field(const QString& name) const { return inspector_->findChild<QLineEdit*>(name); }

  void type(const QString& name, const QString& text) {
    QLineEdit* edit = field(name);
    QVERIFY(edit);
    edit->setFocus();
    edit->selectAll();
    QTest::keyClicks(edit, text);
    QTest::keyClick(edit, Qt::Key_Return);
  }

  const timeline::GenerationSettings& settings() const {
    return std::get<timeline::PromptPayload>(document_->item(item_)->payload).settings;
  }

  std::unique_ptr<timeline::Document> document_;
  std::unique_ptr<ui::InspectorWidget> inspector_;
  timeline::ItemId item_ = 0;
};

QTEST_MAIN(InspectorWidgetTest)
#include "inspector_widget_test.moc"
