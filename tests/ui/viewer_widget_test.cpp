// The viewer shows the composited sequence (what export writes): a crossfade's middle is the blend, nothing under
// the playhead falls back to the caption, and the studio window wires it to the playhead of an opened project.
#include <QTemporaryDir>
#include <QTest>

#include "lanterna/app/frame_provider.h"
#include "lanterna/app/media_import.h"
#include "lanterna/app/project_store.h"
#include "lanterna/assets/image_io.h"
#include "lanterna/timeline/document.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/transport.h"
#include "lanterna/ui/viewer_widget.h"

using namespace lanterna;
using timeline::FrameTime;

namespace {

std::filesystem::path solidPng(const QTemporaryDir& dir, const char* name, std::uint8_t r, std::uint8_t b) {
  auto frame = assets::Frame::allocate(64, 48, assets::PixelFormat::Rgba8);
  for (std::size_t i = 0; i < frame.data.size(); i += 4) frame.data[i] = r, frame.data[i + 2] = b, frame.data[i + 3] = 255;
  const auto path = std::filesystem::path(dir.path().toStdString()) / name;
  return assets::saveImage(frame, path) ? path : std::filesystem::path{};
}

// A saved project: red (0-12) crossfading over 5 frames (10..14) into blue (12-24).
std::filesystem::path crossfadeProject(const QTemporaryDir& dir) {
  const auto file = std::filesystem::path(dir.path().toStdString()) / "x.lanterna";
  auto store = app::ProjectStore::create(file, {"X", {24, 1}, 64, 48});
  if (!store) return {};
  auto document = std::move(*timeline::Document::fromSnapshot(*store->load()));
  auto imported = app::importMediaFiles(*store, *document, {solidPng(dir, "red.png", 255, 0), solidPng(dir, "blue.png", 0, 255)});
  if (!imported) return {};
  const auto red = (*imported)[0].item, blue = (*imported)[1].item;
  document->requestTrim(red, timeline::Edge::End, FrameTime{12});
  document->requestMove(blue, (*imported)[1].track, FrameTime{12});
  document->requestTrim(blue, timeline::Edge::End, FrameTime{24});
  if (!document->requestSetCrossfade(blue, FrameTime{5})) return {};
  return store->save(document->snapshot()) ? file : std::filesystem::path{};
}

QColor centre(const QImage& image) { return image.pixelColor(image.width() / 2, image.height() / 2); }

}  // namespace

class ViewerWidgetTest : public QObject {
  Q_OBJECT

 private slots:
  void crossfadeMiddleShowsTheBlend() {
    QTemporaryDir dir;
    const auto file = crossfadeProject(dir);
    QVERIFY(!file.empty());
    auto store = app::ProjectStore::open(file);
    QVERIFY(store);
    ui::ViewerWidget viewer;
    viewer.resize(320, 240);
    viewer.show();
    viewer.setSequence(*store->load(), *app::assetSources(*store));
    viewer.showImage({}, "fallback");
    viewer.showSequenceFrame(FrameTime{12});  // the cut: the middle of the crossfade
    QTRY_VERIFY_WITH_TIMEOUT(!viewer.displayedImage().isNull(), 10000);
    const QColor mixed = centre(viewer.displayedImage());
    QVERIFY2(std::abs(mixed.red() - 128) <= 3 && mixed.green() <= 3 && std::abs(mixed.blue() - 128) <= 3,
             qPrintable(mixed.name()));

    viewer.showSequenceFrame(FrameTime{2});
    QTRY_COMPARE_WITH_TIMEOUT(centre(viewer.displayedImage()), QColor(255, 0, 0), 10000);

    // Past the end nothing is on a video track: the caption and its (null) picture show again.
    viewer.showSequenceFrame(FrameTime{40});
    QTRY_VERIFY_WITH_TIMEOUT(viewer.displayedImage().isNull(), 10000);
    QCOMPARE(viewer.caption(), QString("fallback"));

    // Back to the cut: the frame comes from the cache, before the request returns.
    viewer.showSequenceFrame(FrameTime{12});
    QVERIFY(!viewer.displayedImage().isNull());
    QVERIFY(viewer.frameProvider()->cachedFrames() >= 2);

    // A preview shown with showImage() is not overwritten by composited frames.
    QImage preview(8, 8, QImage::Format_RGB32);
    preview.fill(Qt::green);
    viewer.showImage(preview, "preview");
    QCOMPARE(viewer.displayedImage(), preview);
  }

  void studioViewerFollowsThePlayhead() {
    QTemporaryDir dir;
    const auto file = crossfadeProject(dir);
    QVERIFY(!file.empty());
    ui::MainWindow window;
    window.show();
    QVERIFY(window.openProjectFile(QString::fromStdString(file.string())));
    window.transport()->setPlayhead(FrameTime{12});
    QTRY_VERIFY_WITH_TIMEOUT(!window.viewer()->displayedImage().isNull() &&
                                 std::abs(centre(window.viewer()->displayedImage()).blue() - 128) <= 3,
                             10000);
    window.transport()->setPlayhead(FrameTime{20});
    QTRY_COMPARE_WITH_TIMEOUT(centre(window.viewer()->displayedImage()), QColor(0, 0, 255), 10000);
  }
};

QTEST_MAIN(ViewerWidgetTest)
#include "viewer_widget_test.moc"
