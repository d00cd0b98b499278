// Shows the frame at the playhead (or the latest generation preview), letterboxed to the project's aspect ratio,
// with a timecode overlay. Usage:
//   viewer->setFrameSize({768, 432}); viewer->showImage(image, "Take 2"); viewer->setTimecode("00:00:01:12");
// UI thread only; previews arrive through queued signals and simply replace the image (latest wins).
#pragma once

#include <QImage>
#include <QSize>
#include <QString>
#include <QWidget>

namespace lanterna::ui {

class ViewerWidget : public QWidget {
  Q_OBJECT
 public:
  explicit ViewerWidget(QWidget* parent = nullptr);

  void setFrameSize(QSize frameSize);
  // A null image shows the caption on an empty frame (nothing under the playhead, or not generated yet).
  void showImage(const QImage& image, const QString& caption);
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
};

}  // namespace lanterna::ui
