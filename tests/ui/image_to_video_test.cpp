// Image-to-video as a user does it: a photo dragged from the desktop onto the reference track becomes a photo item,
// the inspector's Animate (and the clip menu's) queues a job whose init image is the photo, and the result lands
// on the video track under it. Real engine on a tiny random model.
#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include "demo_helpers.h"
#include "lanterna/app/generation_service.h"
#include "lanterna/app/project_store.h"
#include "lanterna/ui/inspector_widget.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/timeline_widget.h"
#include "tiny_model.h"

using namespace lanterna;
using timeline::FrameTime;

namespace {
constexpr int kFinishTimeoutMs = 60000;
}  // namespace

class ImageToVideoTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    lanterna::ui::testing::isolateSettings("ImageToVideoTest", dir_.path());
    auto written = lanterna::testing::writeTinySdModel(modelsDir() / "tiny-sd");
    QVERIFY2(written, written ? "" : written.error().message.c_str());
  }

  void dropPhotoThenAnimate() {
    auto window = std::make_unique<ui::MainWindow>(ui::makeGenerationJobQueue());
    window->generationService()->setModelLibrary(app::ModelLibrary({QString::fromStdString(modelsDir().string())}));
    auto document = std::make_unique<timeline::Document>();
    const auto prompts = document->requestAddTrack(timeline::TrackKind::Prompt, "Prompts").createdId;
    const auto references = document->requestAddTrack(timeline::TrackKind::ReferenceImage, "Photos").createdId;
    const auto video = document->requestAddTrack(timeline::TrackKind::Video, "Video").createdId;
    timeline::GenerationSettings settings;  // a prompt elsewhere: Animate borrows its model and size
    settings.model = "tiny-sd";
    settings.width = settings.height = 64;
    settings.steps = 3;
    document->requestInsertItem(prompts, FrameTime{200}, FrameTime{24}, timeline::PromptPayload{settings});
    window->setDocument(std::move(document));
    QVERIFY(window->saveProjectTo(dir_.filePath("photo.lanterna")));
    window->resize(1200, 800);
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));

    // A photo dragged from the desktop onto the reference track, near the start.
    QImage photo(96, 64, QImage::Format_RGB888);
    photo.fill(QColor(200, 120, 40));
    const QString photoPath = dir_.filePath("grandma.png");
    QVERIFY(photo.save(photoPath));
    auto* timelineWidget = window->timeline();
    const QPoint at(ui::TimelineLayout::kHeaderWidth + 2,
                    ui::TimelineLayout::kRulerHeight + ui::TimelineLayout::kTrackHeight + 20);  // second track
    QCOMPARE(timelineWidget->layout().hitTest(*window->document(), at, timelineWidget->width()).track, references);
    drop(timelineWidget, at, {photoPath});
    const timeline::ItemId photoItem = timelineWidget->selectedItem();
    const timeline::Item* item = window->document()->item(photoItem);
    QVERIFY2(item, qPrintable(window->statusBar()->currentMessage()));
    QCOMPARE(item->track, references);
    const auto asset = std::get<timeline::ReferenceImagePayload>(item->payload).asset;
    const FrameTime photoStart = item->start;  // `item` does not outlive the next edit
    QCOMPARE(window->projectStore()->asset(asset)->kind, app::AssetKind::Image);

    // The inspector shows the photo page: 4 frames at 8 fps (0.5 s), restore on, then Animate.
    auto* inspector = window->inspector();
    auto* animate = inspector->findChild<QPushButton*>("animate");
    QVERIFY(animate && animate->isVisible());
    type(inspector, "photoFrames", "4");
    QCOMPARE(inspector->findChild<QLineEdit*>("photoDuration")->text(), QString("0.50"));
    type(inspector, "photoMotion", "0.8");
    auto* restore = inspector->findChild<QCheckBox*>("restorePhoto");
    QTest::mouseClick(restore, Qt::LeftButton, {}, QPoint(8, restore->height() / 2));  // on the box
    QVERIFY(inspector->restorePhoto());
    auto* service = window->generationService();
    QSignalSpy finished(service, &app::GenerationService::clipFinished);
    QTest::mouseClick(animate, Qt::LeftButton);

    // A prompt item linked to the photo, and its clip on the video track under it, from the photo's start.
    timeline::ItemId prompt = 0;
    for (const timeline::Item& candidate : window->document()->snapshot().items)
      if (const auto* payload = std::get_if<timeline::PromptPayload>(&candidate.payload);
          payload && payload->settings.referenceImages == std::vector<timeline::AssetId>{asset})
        prompt = candidate.id;
    QVERIFY2(prompt != 0, qPrintable(window->statusBar()->currentMessage()));
    const auto& linked = std::get<timeline::PromptPayload>(window->document()->item(prompt)->payload).settings;
    QCOMPARE(linked.frames, 4);
    QCOMPARE(linked.motionAmount, 0.8);
    QCOMPARE(window->document()->item(prompt)->duration, FrameTime{12});  // 0.5 s at 24 fps
    const timeline::ItemId clip = service->clipUnder(prompt);
    QVERIFY(clip != 0);
    QCOMPARE(window->document()->item(clip)->track, video);
    QCOMPARE(window->document()->item(clip)->start, photoStart);
    QVERIFY(service->running(clip));
    // The photo is prepared on a worker, then the job is queued with it as the init image, fitted to the size.
    // The job may already have ended (an image model refuses a clip at once), so read it from the queue.
    QTRY_VERIFY_WITH_TIMEOUT(service->queue().jobs().size() == 1, kFinishTimeoutMs);
    const auto request = service->queue().jobs().front().spec.request;
    QVERIFY(request.initImage.has_value());
    QCOMPARE(request.initImage->width, 64);
    QCOMPARE(request.initImage->height, 64);
    // It went through the photo preparation with the inspector's "Restore old photo" on.
    auto restored = app::preparedPhoto(photoPath.toStdString(), 64, 64, true);
    auto plain = app::preparedPhoto(photoPath.toStdString(), 64, 64, false);
    QVERIFY(restored && plain);
    QCOMPARE(int(plain->rgb[0]), 200);
    QVERIFY(restored->rgb != plain->rgb);
    QVERIFY(request.initImage->rgb == restored->rgb);
    QCOMPARE(request.frames, 4);
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kFinishTimeoutMs);
    const auto state = finished.first().at(1).value<app::JobState>();
    const QString message = finished.first().at(2).toString();
    // Until the engine animates stills, it may refuse with its reason; either way the job ends and says so.
    QVERIFY2(state == app::JobState::Succeeded || !message.isEmpty(), qPrintable(message));
    if (state == app::JobState::Succeeded) {
      QCOMPARE(std::get<timeline::VideoPayload>(window->document()->item(clip)->payload).takes.size(), size_t(1));
      auto record = window->projectStore()->generation(
          std::get<timeline::VideoPayload>(window->document()->item(clip)->payload).takes[0].generation);
      QVERIFY(record);
      QCOMPARE(record->request.referenceImages, std::vector<timeline::AssetId>{asset});
    }

    // Animate again from the clip menu: the same linked prompt, a new job on the same clip.
    finished.clear();
    QTimer::singleShot(0, this, [] {
      auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
      QAction* action = menu ? menu->findChild<QAction*>("animateAction") : nullptr;
      if (action) action->trigger();
      if (menu) menu->close();
    });
    const QPoint photoCentre = timelineWidget->itemRect(photoItem).center();
    QContextMenuEvent menuEvent(QContextMenuEvent::Mouse, photoCentre, timelineWidget->mapToGlobal(photoCentre));
    QApplication::sendEvent(timelineWidget, &menuEvent);
    QVERIFY2(service->running(clip).has_value() || finished.count() > 0, "the menu's Animate started a job");
    QVERIFY(finished.count() > 0 || finished.wait(kFinishTimeoutMs));
    int linkedPrompts = 0;
    for (const timeline::Item& candidate : window->document()->snapshot().items)
      if (const auto* payload = std::get_if<timeline::PromptPayload>(&candidate.payload))
        linkedPrompts += !payload->settings.referenceImages.empty();
    QCOMPARE(linkedPrompts, 1);

    // The prompt's inspector lists the photo as its reference; Clear makes it a text-only job again (undoable).
    timelineWidget->setSelectedItem(prompt);
    auto* referenceList = inspector->findChild<QLabel*>("references");
    QVERIFY(referenceList && referenceList->text().startsWith("1 image"));
    QTest::mouseClick(inspector->findChild<QToolButton*>("clearReferences"), Qt::LeftButton);
    QVERIFY(std::get<timeline::PromptPayload>(window->document()->item(prompt)->payload).settings.referenceImages.empty());
    QVERIFY(referenceList->text().startsWith("None"));
    window->document()->undoStack().undo();
    QCOMPARE(std::get<timeline::PromptPayload>(window->document()->item(prompt)->payload).settings.referenceImages,
             std::vector<timeline::AssetId>{asset});
    timelineWidget->setSelectedItem(photoItem);

    // A file that is not a photo is refused on the reference track, with the reason.
    const QString text = dir_.filePath("notes.txt");
    QFile file(text);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a picture");
    file.close();
    const int before = int(window->document()->snapshot().items.size());
    drop(timelineWidget, at + QPoint(300, 0), {text});
    QCOMPARE(int(window->document()->snapshot().items.size()), before);
    QVERIFY(window->statusBar()->currentMessage().contains("notes.txt"));

    // A photo dropped on the video track comes in through the media import as a still; animating it puts the
    // clip on a video track of its own below, never onto the photo.
    const QPoint onVideo(ui::TimelineLayout::kHeaderWidth + 400,
                         ui::TimelineLayout::kRulerHeight + 2 * ui::TimelineLayout::kTrackHeight + 20);
    QCOMPARE(timelineWidget->layout().hitTest(*window->document(), onVideo, timelineWidget->width()).track, video);
    drop(timelineWidget, onVideo, {photoPath});
    const timeline::ItemId still = timelineWidget->selectedItem();
    QVERIFY2(window->document()->item(still) && window->document()->item(still)->track == video,
             qPrintable(window->statusBar()->currentMessage()));
    QVERIFY(window->isAnimatable(still));
    finished.clear();
    window->animate(still);
    QVERIFY(finished.wait(kFinishTimeoutMs));
    QVERIFY(std::get<timeline::VideoPayload>(window->document()->item(still)->payload).takes.empty());
    const auto& tracks = window->document()->tracks();
    QCOMPARE(tracks.size(), size_t(5));  // prompts, photos, video, then the new prompt and video tracks
    QCOMPARE(tracks[3].kind, timeline::TrackKind::Prompt);
    QCOMPARE(tracks[4].kind, timeline::TrackKind::Video);
    QCOMPARE(int(window->document()->itemsOnTrack(tracks[4].id).size()), 1);
  }

 private:
  std::filesystem::path modelsDir() const { return std::filesystem::path(dir_.path().toStdString()) / "models"; }

  static void drop(QWidget* target, QPoint pos, const QStringList& paths) {
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString& path : paths) urls << QUrl::fromLocalFile(path);
    mime.setUrls(urls);
    QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent dropped(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &dropped);
  }

  static void type(QWidget* parent, const QString& name, const QString& text) {
    auto* edit = parent->findChild<QLineEdit*>(name);
    QVERIFY(edit);
    edit->setFocus();
    edit->selectAll();
    QTest::keyClicks(edit, text);
    QTest::keyClick(edit, Qt::Key_Return);
  }

  QTemporaryDir dir_;
};

QTEST_MAIN(ImageToVideoTest)
#include "image_to_video_test.moc"
