// A finished multi-clip project made the way a user makes it, with the bundled toyworld model: three prompts
// generated in place (one twice, for takes) and a photo animated from the reference track. Run under Xvfb with
// LANTERNA_SCREENSHOT=path (docs/take_screenshot.sh) to refresh docs/screenshots/studio.png.
#include <QPainter>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include "demo_helpers.h"
#include "lanterna/app/generation_service.h"
#include "lanterna/app/project_store.h"
#include "lanterna/ui/inspector_widget.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/theme.h"
#include "lanterna/ui/timeline_widget.h"
#include "lanterna/ui/transport.h"
#include "lanterna/ui/viewer_widget.h"

using namespace lanterna;
using timeline::FrameTime;

namespace {

constexpr int kFinishTimeoutMs = 120000;

timeline::PromptPayload toyPrompt(const char* text, std::int64_t seed) {
  timeline::PromptPayload payload;
  payload.settings.prompt = text;
  payload.settings.model = "toyworld";
  payload.settings.steps = 12;
  payload.settings.cfg = 2.0;  // toyworld's recommendation
  payload.settings.seed = seed;
  payload.settings.seedLocked = true;
  payload.settings.width = payload.settings.height = 128;
  payload.settings.frames = 16;  // 2 s at 8 fps, as long as the item
  payload.settings.fps = timeline::FrameRate{8, 1};
  return payload;
}

}  // namespace

class StudioScreenshotTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    lanterna::ui::testing::isolateSettings("StudioScreenshotTest", dir_.path());
  }

  void finishedMultiClipProject() {
    const QString bundled = QStringLiteral(LANTERNA_SOURCE_DIR "/resources/models");
    if (!QFileInfo::exists(bundled + "/toyworld/model_index.json")) QSKIP("the bundled toyworld model is missing");
    ui::applyDarkTheme(*qApp);
    auto window = std::make_unique<ui::MainWindow>(ui::makeGenerationJobQueue());
    auto* service = window->generationService();
    service->setModelLibrary(app::ModelLibrary({bundled}));
    auto document = std::make_unique<timeline::Document>(
        timeline::ProjectSettings{"Toy world", timeline::FrameRate{24, 1}, 1280, 720});
    const auto prompts = document->requestAddTrack(timeline::TrackKind::Prompt, "Prompts").createdId;
    const auto photos = document->requestAddTrack(timeline::TrackKind::ReferenceImage, "Photos").createdId;
    document->requestAddTrack(timeline::TrackKind::Video, "Video");
    std::vector<timeline::ItemId> items{
        document->requestInsertItem(prompts, FrameTime{0}, FrameTime{48},
                                    toyPrompt("a big red circle at the top left on a black background", 1234))
            .createdId,
        document->requestInsertItem(prompts, FrameTime{48}, FrameTime{48},
                                    toyPrompt("on white, a small blue square at the bottom right", 5678))
            .createdId,
        document->requestInsertItem(prompts, FrameTime{96}, FrameTime{48},
                                    toyPrompt("a yellow triangle in the center on a purple background", 9012))
            .createdId};
    document->undoStack().clear();
    window->setDocument(std::move(document));
    QVERIFY(window->saveProjectTo(dir_.filePath("finished.lanterna")));
    window->resize(1440, 900);
    window->show();
    window->activateWindow();  // the Generate shortcut needs the active window
    QVERIFY(QTest::qWaitForWindowActive(window.get()));

    // Three prompts queued at once, then the first again for a second take.
    QSignalSpy finished(service, &app::GenerationService::clipFinished);
    for (const timeline::ItemId prompt : items) {
      window->timeline()->setSelectedItem(prompt);
      QTest::keyClick(window.get(), Qt::Key_Return, Qt::ControlModifier);
    }
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 3, kFinishTimeoutMs);
    auto settings = std::get<timeline::PromptPayload>(window->document()->item(items[0])->payload).settings;
    settings.seed = 4321;
    window->document()->requestChangeGenerationSettings(items[0], settings);
    window->timeline()->setSelectedItem(items[0]);
    QTest::keyClick(window.get(), Qt::Key_Return, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 4, kFinishTimeoutMs);

    // A photo on the reference track after the prompts, animated from the inspector.
    QImage photo(160, 120, QImage::Format_RGB888);
    photo.fill(Qt::black);
    QPainter painter(&photo);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(QColor(40, 200, 60));
    painter.setPen(Qt::NoPen);
    painter.drawEllipse(QPointF(80, 60), 34, 34);
    painter.end();
    QVERIFY(photo.save(dir_.filePath("photo.png")));
    QVERIFY(window->importFiles({dir_.filePath("photo.png")}, photos, 150));
    const timeline::ItemId photoItem = window->timeline()->selectedItem();
    QVERIFY(window->isAnimatable(photoItem));
    window->animate(photoItem);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 5, kFinishTimeoutMs);
    for (const auto& call : finished)
      QVERIFY2(call.at(1).value<app::JobState>() == app::JobState::Succeeded, qPrintable(call.at(2).toString()));

    // Four clips with results; the first has two takes.
    int clips = 0;
    for (const timeline::Item& item : window->document()->snapshot().items)
      if (const auto* video = std::get_if<timeline::VideoPayload>(&item.payload); video && !video->takes.empty())
        ++clips;
    QCOMPARE(clips, 4);
    QCOMPARE(window->timeline()->decoration(service->clipUnder(items[0])).badge, QString("2 takes"));

    // The photo selected (the inspector's Animate page), the playhead on the clip made from it.
    window->timeline()->setSelectedItem(photoItem);
    window->transport()->setPlayhead(FrameTime{160});
    QTRY_VERIFY_WITH_TIMEOUT(!window->timeline()->decoration(photoItem).thumbnail.isNull(), 10000);
    window->timeline()->zoomToFit();
    QTest::qWait(200);  // the docks settle
    QVERIFY(!window->viewer()->image().isNull());
    const QImage shot = window->grab().toImage();
    const QString path = qEnvironmentVariable("LANTERNA_SCREENSHOT", dir_.filePath("studio.png"));
    QVERIFY(shot.save(path, "PNG"));
  }

 private:
  QTemporaryDir dir_;
};

QTEST_MAIN(StudioScreenshotTest)
#include "studio_screenshot_test.moc"
