// Shows the frame at the playhead (or the latest generation preview), letterboxed to the project's aspect ratio,
// with a timecode overlay. Usage:
//   viewer->setFrameSize({768, 432}); viewer->showImage(image, "Take 2"); viewer->setTimecode("00:00:01:12");
// With a sequence set, showSequenceFrame(at) shows the composited frame export would write (fades, crossfades,
// speed), rendered on a worker by app::FrameProvider with a small cache; the newest request wins while scrubbing:
//   viewer->setSequence(document.snapshot(), *app::assetSources(store));   // after every edit
//   viewer->showImage({}, caption); viewer->showSequenceFrame(playhead);   // caption shows where nothing is
// UI thread only; previews arrive through queued signals and simply replace the image (latest wins).
#pragma once

#include <QImage>
#include <QSize>
#include <QString>
#include <QWidget>

#include <memory>
#include <optional>

#include "lanterna/app/sequence_renderer.h"

namespace lanterna::app {
class FrameProvider;
}

namespace lanterna::ui {

class ViewerWidget : public QWidget {
  Q_OBJECT
 public:
  explicit ViewerWidget(QWidget* parent = nullptr);

  void setFrameSize(QSize frameSize);
  ~ViewerWidget() override;

  // A null image shows the caption on an empty frame (nothing under the playhead, or not generated yet).
  // It also leaves sequence mode: a generation preview is not overwritten by a late composited frame.
  void showImage(const QImage& image, const QString& caption);
  // The sequence whose composited frames showSequenceFrame() shows; the render size is the project's, at most
  // 1280x720. Clears the frame cache.
  void setSequence(timeline::DocumentSnapshot snapshot, app::AssetSources sources);
  void clearSequence();  // back to showImage() pictures only
  // Shows the composited frame at `frame` once rendered; the previous composited frame stays up until then (no
  // flicker while playing). Where no video item is, the showImage() picture and caption show. No-op without a
  // sequence.
  void showSequenceFrame(timeline::FrameTime frame);
  // What is painted in the main frame: the composited frame in sequence mode, else image().
  const QImage& displayedImage() const;
  app::FrameProvider* frameProvider() const { return provider_.get(); }
  void setTimecode(const QString& timecode);
  // A thin bar along the bottom of the frame while a generation runs; a negative fraction hides it.
  void setProgress(double fraction);
  // A second image shown beside the first (comparing two takes); null: one image.
  void setCompareImage(const QImage& image, const QString& caption = {});

  const QImage& image() const { return image_; }
  const QString& caption() const { return caption_; }
  double progress() const { return progress_; }
  const QImage& compareImage() const { return compare_; }
  QSize sizeHint() const override { return {640, 360}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QRect frameRect() const;
  void drawImage(QPainter& painter, const QRect& frame, const QImage& image, const QString& caption) const;

  QSize frameSize_{1280, 720};
  QImage image_;
  QString caption_;
  QString timecode_;
  double progress_ = -1.0;
  QImage compare_;
  QString compareCaption_;
  std::unique_ptr<app::FrameProvider> provider_;  // null until a sequence is set
  std::optional<qint64> wantedFrame_;               // set while in sequence mode
  QImage sequenceImage_;                            // the newest composited frame (null: nothing there)
};

}  // namespace lanterna::ui
