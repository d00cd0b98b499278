// The studio's generate-in-place flow with a real engine on a tiny random model: previews on the clip, takes,
// undo, cancel, history and reopening, driven by key presses on a real MainWindow.
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <set>

#include "demo_helpers.h"
#include "lanterna/app/generation_parameters.h"
#include "lanterna/app/generation_service.h"
#include "lanterna/app/project_store.h"
#include "lanterna/ui/demo_document.h"
#include "lanterna/ui/history_panel.h"
#include "lanterna/ui/theme.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/timeline_widget.h"
#include "lanterna/ui/transport.h"
#include "lanterna/ui/viewer_widget.h"
#include "tiny_model.h"

using namespace lanterna;
using timeline::FrameTime;

namespace {

constexpr int kFinishTimeoutMs = 60000;

timeline::ItemId addPrompt(timeline::Document& document, int steps) {
  const auto prompts = document.requestAddTrack(timeline::TrackKind::Prompt, "Prompts").createdId;
  document.requestAddTrack(timeline::TrackKind::Video, "Video");
  timeline::GenerationSettings settings;
  settings.prompt = "a red circle on a black background";
  settings.model = "tiny-sd";
  settings.width = settings.height = 64;
  settings.frames = 1;
  settings.steps = steps;
  return document.requestInsertItem(prompts, FrameTime{0}, FrameTime{48}, timeline::PromptPayload{settings})
      .createdId;
}

const timeline::VideoPayload* videoOf(const timeline::Document& document, timeline::ItemId clip) {
  const timeline::Item* item = document.item(clip);
  return item ? std::get_if<timeline::VideoPayload>(&item->payload) : nullptr;
}

}  // namespace

class StudioFlowTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    lanterna::ui::testing::isolateSettings("StudioFlowTest", dir_.path());
    auto written = lanterna::testing::writeTinySdModel(modelsDir() / "tiny-sd");
    QVERIFY2(written, written ? "" : written.error().message.c_str());
  }

  void generateShowsLivePreviewsThenATake() {
    auto window = openWindow("previews.lanterna", 20);
    const timeline::ItemId prompt = window->timeline()->selectedItem();
    auto* service = window->generationService();
    QSignalSpy finished(service, &app::GenerationService::clipFinished);

    // Count distinct previews as the clip shows them, and the longest stall of the UI event loop meanwhile.
    std::set<qint64> previews;
    bool measuring = false, sawSaving = false;
    connect(service, &app::GenerationService::clipPreviewChanged, this, [&](qint64 clip) {
      const QImage thumbnail = window->timeline()->decoration(clip).thumbnail;
      if (service->running(clip) && !thumbnail.isNull()) previews.insert(thumbnail.cacheKey());
      sawSaving = sawSaving || service->saving(clip);
    });
    QElapsedTimer clock;
    qint64 lastTick = -1, longestGapMs = 0;
    QTimer ticker;
    // Measured from the first denoising step until the take has landed (the job end's PNG writing and import
    // included): before the first step, the click's own work (the clip, the store) runs.
    connect(&ticker, &QTimer::timeout, this, [&] {
      const timeline::ItemId clip = service->clipUnder(prompt);
      const auto running = service->running(clip);
      measuring = measuring || (running && running->step >= 1);
      const qint64 now = clock.elapsed();
      if (lastTick >= 0 && measuring) longestGapMs = std::max(longestGapMs, now - lastTick);
      lastTick = now;
    });
    QTest::keyClick(window.get(), Qt::Key_Return, Qt::ControlModifier);
    const timeline::ItemId clip = service->clipUnder(prompt);
    QVERIFY2(clip != 0, qPrintable("no clip after Generate: " + window->statusBar()->currentMessage()));
    QVERIFY(service->running(clip).has_value());
    clock.start();
    ticker.start(2);
    QVERIFY(finished.wait(kFinishTimeoutMs));
    ticker.stop();
    QCOMPARE(finished.first().at(1).value<app::JobState>(), app::JobState::Succeeded);
    QVERIFY2(previews.size() >= 10, qPrintable(QString("only %1 distinct previews").arg(previews.size())));
    QVERIFY2(longestGapMs < 50, qPrintable(QString("the UI stalled for %1 ms").arg(longestGapMs)));
    QVERIFY2(sawSaving, "the job end's files are written while the event loop runs");

    const auto* video = videoOf(*window->document(), clip);
    QVERIFY(video);
    QCOMPARE(video->takes.size(), size_t(1));
    QVERIFY(!window->timeline()->decoration(clip).thumbnail.isNull());
    QCOMPARE(window->timeline()->decoration(clip).progress, -1.0);

    // The history records the whole run, and the PNG says how to make it again.
    auto record = window->projectStore()->generation(video->takes[0].generation);
    QVERIFY(record);
    QCOMPARE(record->status, app::GenerationStatus::Done);
    QCOMPARE(record->request.prompt, std::string("a red circle on a black background"));
    QCOMPARE(record->outputs, std::vector<timeline::AssetId>{video->asset});
    QVERIFY(record->startedMs > 0 && record->finishedMs >= record->startedMs);
    auto asset = window->projectStore()->asset(video->asset);
    QVERIFY(asset);
    const auto png = window->projectStore()->file().parent_path() / asset->path;
    auto parameters = app::readParametersFromPng(QString::fromStdString(png.string()));
    QVERIFY(parameters);
    QCOMPARE(parameters->request.steps, 20);
    const auto& settings = std::get<timeline::PromptPayload>(window->document()->item(prompt)->payload).settings;
    QCOMPARE(qint64(parameters->request.seed), qint64(settings.seed));
  }

  void regenerateAddsTakesThatFlipAndUndo() {
    auto window = openWindow("takes.lanterna", 3);
    const timeline::ItemId prompt = window->timeline()->selectedItem();
    auto* service = window->generationService();
    QSignalSpy finished(service, &app::GenerationService::clipFinished);
    QTest::keyClick(window.get(), Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(finished.wait(kFinishTimeoutMs));
    const timeline::ItemId clip = service->clipUnder(prompt);
    window->timeline()->setSelectedItem(clip);  // regenerating from the clip adds a take to it
    QTest::keyClick(window.get(), Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(finished.wait(kFinishTimeoutMs));
    auto* document = window->document();
    QCOMPARE(videoOf(*document, clip)->takes.size(), size_t(2));
    QCOMPARE(videoOf(*document, clip)->activeTake, 1);
    QCOMPARE(window->timeline()->decoration(clip).badge, QString("2 takes"));
    const auto takes = videoOf(*document, clip)->takes;
    QVERIFY(takes[0].generation != takes[1].generation);
    auto second = window->projectStore()->generation(takes[1].generation);
    QCOMPARE(second->parent, takes[0].generation);  // lineage: the new take varies the first

    QTest::keyClick(window.get(), Qt::Key_BracketLeft, Qt::ControlModifier);  // previous take
    QVERIFY2(videoOf(*document, clip)->activeTake == 0, qPrintable(window->statusBar()->currentMessage()));
    QCOMPARE(videoOf(*document, clip)->asset, takes[0].asset);
    QTest::keyClick(window.get(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(videoOf(*document, clip)->activeTake, 1);
    QTest::keyClick(window.get(), Qt::Key_Y, Qt::ControlModifier);  // redo
    QCOMPARE(videoOf(*document, clip)->activeTake, 0);

    // Compare shows both takes side by side.
    window->transport()->setPlayhead(FrameTime{10});
    window->setCompareTakes(true);
    QVERIFY(!window->viewer()->image().isNull());
    QVERIFY(!window->viewer()->compareImage().isNull());
    QVERIFY(window->viewer()->image() != window->viewer()->compareImage());

    // History: both runs, newest first; the lineage of the second holds the first.
    auto* history = window->historyPanel();
    QCOMPARE(history->visibleCount(), 2);
    history->showLineage(takes[1].generation);
    QCOMPARE(history->visibleCount(), 2);
    history->showLineage(0);
    // Reuse the first take's settings on the prompt: same seed, now locked.
    auto first = window->projectStore()->generation(takes[0].generation);
    window->timeline()->setSelectedItem(prompt);
    window->reuseSettings(takes[0].generation);
    const auto promptSettings = [&] {
      return std::get<timeline::PromptPayload>(document->item(prompt)->payload).settings;
    };
    QCOMPARE(promptSettings().seed, first->request.seed);
    QVERIFY(promptSettings().seedLocked);
    // Reading the second take's PNG puts its seed back.
    auto asset = window->projectStore()->asset(takes[1].asset);
    const auto png = window->projectStore()->file().parent_path() / asset->path;
    QVERIFY(window->applyParametersFromPng(QString::fromStdString(png.string())));
    QCOMPARE(promptSettings().seed, second->request.seed);
    QTest::keyClick(window.get(), Qt::Key_Z, Qt::ControlModifier);  // undo the PNG settings
    QTest::keyClick(window.get(), Qt::Key_Z, Qt::ControlModifier);  // undo the reuse
    QTest::keyClick(window.get(), Qt::Key_Y, Qt::ControlModifier);  // redo
    QCOMPARE(promptSettings().seed, first->request.seed);

    // Reopening finds the same document and history, and the view as it was: selection, playhead, zoom.
    window->timeline()->setPixelsPerFrame(3.5);
    window->transport()->setPlayhead(FrameTime{17});
    QTest::mouseClick(window->timeline(), Qt::LeftButton, {}, window->timeline()->itemRect(clip).center());
    QCOMPARE(window->timeline()->selectedItem(), clip);
    const auto saved = document->snapshot();
    const QString path = QString::fromStdString(window->projectStore()->file().string());
    window.reset();
    auto reopened = std::make_unique<ui::MainWindow>(ui::makeGenerationJobQueue());
    QVERIFY(reopened->openProjectFile(path));
    QCOMPARE(reopened->document()->snapshot(), saved);
    QCOMPARE(reopened->historyPanel()->visibleCount(), 2);
    // Thumbnails are read on a worker after opening, then painted.
    QTRY_VERIFY_WITH_TIMEOUT(!reopened->timeline()->decoration(clip).thumbnail.isNull(), 10000);
    QCOMPARE(reopened->timeline()->selectedItem(), clip);
    QCOMPARE(reopened->transport()->playhead(), FrameTime{17});
    QCOMPARE(reopened->timeline()->pixelsPerFrame(), 3.5);
    reopened->show();  // the first show's pending zoom-to-fit must not undo the restored zoom
    QVERIFY(QTest::qWaitForWindowExposed(reopened.get()));
    QCOMPARE(reopened->timeline()->pixelsPerFrame(), 3.5);
  }

  void cancelStopsWithinAStepAndIsRecorded() {
    auto window = openWindow("cancel.lanterna", 400);
    const timeline::ItemId prompt = window->timeline()->selectedItem();
    auto* service = window->generationService();
    QSignalSpy finished(service, &app::GenerationService::clipFinished);
    QSignalSpy previews(service, &app::GenerationService::clipPreviewChanged);
    QTest::keyClick(window.get(), Qt::Key_Return, Qt::ControlModifier);
    const timeline::ItemId clip = service->clipUnder(prompt);
    QTRY_VERIFY_WITH_TIMEOUT(service->running(clip) && service->running(clip)->step >= 2, kFinishTimeoutMs);
    const qint64 job = service->running(clip)->job;
    QTest::keyClick(window.get(), Qt::Key_Period, Qt::ControlModifier);
    const int stepAtCancel = service->queue().status(job).step;
    QVERIFY(finished.wait(kFinishTimeoutMs));
    QCOMPARE(finished.first().at(1).value<app::JobState>(), app::JobState::Cancelled);
    QVERIFY2(service->queue().status(job).step <= stepAtCancel + 1, "the engine stops within one step");
    auto records = window->projectStore()->listGenerations();
    QVERIFY(records);
    QCOMPARE(records->front().status, app::GenerationStatus::Cancelled);
    QCOMPARE(videoOf(*window->document(), clip)->takes.size(), size_t(0));
  }

  // The demo project mid-generation, as docs/take_screenshot.sh shows it: run under Xvfb with
  // LANTERNA_SCREENSHOT=path (and QT_QPA_PLATFORM=xcb) to refresh docs/screenshots/studio-generating.png.
  void screenshotMidGeneration() {
    ui::applyDarkTheme(*qApp);  // as the studio looks
    auto window = std::make_unique<ui::MainWindow>(ui::makeGenerationJobQueue());
    // The demo's own model (bundled toyworld) when present, so the preview shows a picture forming.
    const QString bundled = QStringLiteral(LANTERNA_SOURCE_DIR "/resources/models");
    const bool toyworld = QFileInfo::exists(bundled + "/toyworld/model_index.json");
    window->generationService()->setModelLibrary(
        app::ModelLibrary({QString::fromStdString(modelsDir().string()), bundled}));
    auto document = ui::makeDemoDocument();
    timeline::ItemId first = 0;
    for (const timeline::Item& item : document->snapshot().items)
      if (const auto* prompt = std::get_if<timeline::PromptPayload>(&item.payload)) {
        auto settings = prompt->settings;
        if (!toyworld) {
          settings.model = "tiny-sd";
          settings.width = 64;
          settings.height = 40;
        }
        settings.steps = 40;
        settings.frames = 1;  // tiny-sd is an image model: the engine refuses it a clip
        document->requestChangeGenerationSettings(item.id, settings);
        if (first == 0) first = item.id;
      }
    document->undoStack().clear();
    window->setDocument(std::move(document));
    QVERIFY(window->saveProjectTo(dir_.filePath("screenshot.lanterna")));
    window->resize(1440, 900);
    window->show();
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window.get()));
    window->timeline()->setSelectedItem(first);
    window->transport()->setPlayhead(FrameTime{30});
    QTest::keyClick(window.get(), Qt::Key_Return, Qt::ControlModifier);
    const timeline::ItemId clip = window->generationService()->clipUnder(first);
    QVERIFY2(window->generationService()->running(clip), qPrintable(window->statusBar()->currentMessage()));
    QTRY_VERIFY_WITH_TIMEOUT(window->generationService()->running(clip) &&
                                 window->generationService()->running(clip)->step >= 15,
                             kFinishTimeoutMs);
    QVERIFY(!window->viewer()->image().isNull());
    QVERIFY(window->viewer()->progress() > 0.0 && window->viewer()->progress() < 1.0);
    const QImage shot = window->grab().toImage();
    QVERIFY(!shot.isNull());
    const QString path = qEnvironmentVariable("LANTERNA_SCREENSHOT", dir_.filePath("studio-generating.png"));
    QVERIFY(shot.save(path, "PNG"));
    window->generationService()->cancel(clip);
  }

 private:
  std::filesystem::path modelsDir() const { return std::filesystem::path(dir_.path().toStdString()) / "models"; }

  std::unique_ptr<ui::MainWindow> openWindow(const QString& name, int steps) {
    auto window = std::make_unique<ui::MainWindow>(ui::makeGenerationJobQueue());
    window->generationService()->setModelLibrary(app::ModelLibrary({QString::fromStdString(modelsDir().string())}));
    auto document = std::make_unique<timeline::Document>();
    const timeline::ItemId prompt = addPrompt(*document, steps);
    window->setDocument(std::move(document));
    [&] { QVERIFY(window->saveProjectTo(dir_.filePath(name))); }();
    window->show();
    window->activateWindow();
    [&] { QVERIFY(QTest::qWaitForWindowActive(window.get())); }();
    window->timeline()->setSelectedItem(prompt);
    return window;
  }

  QTemporaryDir dir_;
};

QTEST_MAIN(StudioFlowTest)  // QApplication: the widgets need it
#include "studio_flow_test.moc"
