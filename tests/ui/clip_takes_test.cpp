// Multi-frame takes: a clip's frames are stored as a video plus a frame-0 PNG with the parameters, the viewer plays
// the frame under the playhead at the clip's own rate, and the history lists the clip with frames and fps.
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include "demo_helpers.h"
#include "lanterna/app/generation_parameters.h"
#include "lanterna/app/generation_service.h"
#include "lanterna/app/project_store.h"
#include "lanterna/ui/history_panel.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/transport.h"
#include "lanterna/ui/viewer_widget.h"

using namespace lanterna;
using timeline::FrameTime;

namespace {

constexpr int kFrames = 6;
constexpr double kFps = 6.0;

// Frame i is a flat grey of level 30 + 40 i: far enough apart to survive H.264 and be told apart.
std::vector<QImage> rampFrames() {
  std::vector<QImage> frames;
  for (int i = 0; i < kFrames; ++i) {
    QImage frame(64, 48, QImage::Format_RGB888);
    frame.fill(QColor(30 + 40 * i, 30 + 40 * i, 30 + 40 * i));
    frames.push_back(frame);
  }
  return frames;
}

int levelOf(const QImage& image) { return qGray(image.pixel(image.width() / 2, image.height() / 2)); }

}  // namespace

class ClipTakesTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    lanterna::ui::testing::isolateSettings("ClipTakesTest", dir_.path());
  }

  // The frame under the playhead, for takes and live previews alike.
  void frameIndexFollowsTheClipRate() {
    QCOMPARE(app::frameIndexAt(0.0, 8.0, 16), 0);
    QCOMPARE(app::frameIndexAt(0.125, 8.0, 16), 1);   // exactly on a frame boundary
    QCOMPARE(app::frameIndexAt(13.0 / 24.0, 6.0, 6), 3);
    QCOMPARE(app::frameIndexAt(10.0, 8.0, 16), 15);   // past the end: the last frame
    QCOMPARE(app::frameIndexAt(-1.0, 8.0, 16), 0);
    QCOMPARE(app::frameIndexAt(1.0, 0.0, 16), 0);     // no rate: a still
  }

  void storesAllFramesAndPlaysThem() {
    const QString path = dir_.filePath("clip.lanterna");
    {
      auto window = std::make_unique<ui::MainWindow>(ui::makeGenerationJobQueue());
      QVERIFY(window->saveProjectTo(path));
      auto* store = window->projectStore();
      app::GenerationRecord record;
      record.request.prompt = "a fading square";
      record.request.frames = kFrames;
      record.request.fps = timeline::FrameRate{6, 1};
      auto generation = store->addGeneration(record);
      QVERIFY(generation);
      const QString parameters = "a fading square\nSteps: 4, Sampler: Euler, CFG scale: 7, Seed: 5, Size: 64x48";
      auto media = app::storeTakeMedia(*store, rampFrames(), kFps, parameters);
      QVERIFY2(media, media ? "" : media.error().message.c_str());
      QCOMPARE(media->frames, kFrames);
      QVERIFY(media->asset != media->still);
      QCOMPARE(store->asset(media->asset)->kind, app::AssetKind::Video);
      QCOMPARE(store->asset(media->still)->kind, app::AssetKind::Image);
      QVERIFY(store->setGenerationOutputs(*generation, {media->asset, media->still}));
      QVERIFY(store->setGenerationStatus(*generation, app::GenerationStatus::Done));

      // The PNG says how the clip was made; the video holds every frame, in order.
      const auto folder = store->file().parent_path();
      auto parsed = app::readParametersFromPng(QString::fromStdString((folder / store->asset(media->still)->path).string()));
      QVERIFY(parsed);
      QCOMPARE(parsed->request.seed, std::int64_t(5));
      auto decoded = app::readClipFrames(folder / store->asset(media->asset)->path);
      QVERIFY(decoded);
      QCOMPARE(int(decoded->frames.size()), kFrames);
      QCOMPARE(decoded->fps, kFps);
      for (int i = 0; i < kFrames; ++i) QVERIFY(std::abs(levelOf(decoded->frames[i]) - (30 + 40 * i)) <= 4);

      // A clip with that take: 1 s at the project's 24 fps.
      auto* document = window->document();
      const auto track = document->requestAddTrack(timeline::TrackKind::Video, "Video").createdId;
      timeline::VideoPayload payload;
      payload.asset = media->asset;
      payload.takes = {timeline::Take{*generation, media->asset, FrameTime{24}}};
      payload.sourceDuration = FrameTime{24};
      payload.activeTake = 0;
      const auto inserted = document->requestInsertItem(track, FrameTime{0}, FrameTime{24}, payload);
      QVERIFY2(inserted, inserted.reason.c_str());
    }

    // Reopened, nothing is cached: the clip is decoded on a worker, then the viewer plays its frames.
    auto window = std::make_unique<ui::MainWindow>(ui::makeGenerationJobQueue());
    QVERIFY(window->openProjectFile(path));
    window->show();
    window->transport()->setPlayhead(FrameTime{0});
    QTRY_VERIFY_WITH_TIMEOUT(!window->viewer()->image().isNull(), 10000);
    QVERIFY(std::abs(levelOf(window->viewer()->image()) - 30) <= 4);
    window->transport()->setPlayhead(FrameTime{13});  // 13/24 s x 6 fps = frame 3
    QVERIFY(std::abs(levelOf(window->viewer()->image()) - 150) <= 4);
    window->transport()->setPlayhead(FrameTime{23});  // the last frame
    QVERIFY(std::abs(levelOf(window->viewer()->image()) - 230) <= 4);

    // The history lists the clip with its frames and rate, and its frame-0 still as the thumbnail.
    auto* list = window->historyPanel()->findChild<QTreeWidget*>();
    QVERIFY(list);
    QCOMPARE(list->topLevelItemCount(), 1);
    QVERIFY2(list->topLevelItem(0)->text(0).contains("6 frames, 6 fps"), qPrintable(list->topLevelItem(0)->text(0)));
    QTRY_VERIFY_WITH_TIMEOUT(!list->topLevelItem(0)->icon(0).isNull(), 10000);  // read on a worker
  }

 private:
  QTemporaryDir dir_;
};

QTEST_MAIN(ClipTakesTest)
#include "clip_takes_test.moc"
