#include "lanterna/ui/viewer_widget.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

#include "lanterna/app/frame_provider.h"
#include "lanterna/ui/theme.h"

namespace lanterna::ui {
namespace {
constexpr int kMaxRenderWidth = 1280, kMaxRenderHeight = 720;  // the viewer is rarely larger; export is exact
}  // namespace

ViewerWidget::ViewerWidget(QWidget* parent) : QWidget(parent) {
  setObjectName("viewer");
  setMinimumSize(240, 135);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void ViewerWidget::setFrameSize(QSize frameSize) {
  if (frameSize.isEmpty()) return;
  frameSize_ = frameSize;
  update();
}

ViewerWidget::~ViewerWidget() = default;

void ViewerWidget::showImage(const QImage& image, const QString& caption) {
  image_ = image;
  caption_ = caption;
  wantedFrame_.reset();
  update();
}

void ViewerWidget::setSequence(timeline::DocumentSnapshot snapshot, app::AssetSources sources) {
  if (!provider_) {
    provider_ = std::make_unique<app::FrameProvider>();
    connect(provider_.get(), &app::FrameProvider::frameReady, this, [this](qint64 frame, const QImage& image) {
      if (wantedFrame_ != frame) return;  // an older request finishing after a newer (cached) one
      sequenceImage_ = image;
      setToolTip({});
      update();
    });
    connect(provider_.get(), &app::FrameProvider::frameFailed, this, [this](qint64 frame, const QString& message) {
      if (wantedFrame_ != frame) return;
      sequenceImage_ = {};  // the caption says what is there; the reason goes to the tooltip
      setToolTip(message);
      update();
    });
  }
  app::RenderOptions options;
  assets::fitInside(snapshot.settings.width, snapshot.settings.height, std::min(kMaxRenderWidth, snapshot.settings.width),
                    std::min(kMaxRenderHeight, snapshot.settings.height), options.width, options.height);
  provider_->setSequence(std::move(snapshot), std::move(sources), options);
  if (wantedFrame_) provider_->requestFrame(timeline::FrameTime{*wantedFrame_});  // the edit may change it
}

void ViewerWidget::clearSequence() {
  provider_.reset();  // waits for the frame being rendered, if any
  wantedFrame_.reset();
  sequenceImage_ = {};
  update();
}

void ViewerWidget::showSequenceFrame(timeline::FrameTime frame) {
  if (!provider_) return;
  wantedFrame_ = frame.frames;
  provider_->requestFrame(frame);
  update();
}

const QImage& ViewerWidget::displayedImage() const {
  return wantedFrame_ && !sequenceImage_.isNull() ? sequenceImage_ : image_;
}

void ViewerWidget::setTimecode(const QString& timecode) {
  if (timecode == timecode_) return;
  timecode_ = timecode;
  update();
}

void ViewerWidget::setProgress(double fraction) {
  if (fraction == progress_) return;
  progress_ = fraction;
  update();
}

void ViewerWidget::setCompareImage(const QImage& image, const QString& caption) {
  compare_ = image;
  compareCaption_ = caption;
  update();
}

QRect ViewerWidget::frameRect() const {
  const QRect area = rect().adjusted(12, 12, -12, -36);
  const QSize fitted = frameSize_.scaled(area.size(), Qt::KeepAspectRatio);
  QRect frame(QPoint(0, 0), fitted);
  frame.moveCenter(area.center());
  return frame;
}

void ViewerWidget::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setRenderHint(QPainter::SmoothPixmapTransform);
  painter.fillRect(rect(), QColor(16, 16, 18));

  const QRect frame = frameRect();
  if (!compare_.isNull()) {
    // Side by side, each half letterboxed to the project's aspect ratio.
    const QRect halfArea(frame.left(), frame.top(), frame.width() / 2 - 3, frame.height());
    QRect half(QPoint(0, 0), frameSize_.scaled(halfArea.size(), Qt::KeepAspectRatio));
    painter.fillRect(frame, Qt::black);
    half.moveCenter(halfArea.center());
    drawImage(painter, half, displayedImage(), caption_);
    half.moveCenter(halfArea.center() + QPoint(frame.width() / 2 + 3, 0));
    drawImage(painter, half, compare_, compareCaption_);
  } else {
    drawImage(painter, frame, displayedImage(), caption_);
  }
  if (progress_ >= 0.0) {
    const QRect track(frame.left(), frame.bottom() - 3, frame.width(), 4);
    painter.fillRect(track, QColor(0, 0, 0, 160));
    painter.fillRect(QRect(track.left(), track.top(), int(track.width() * std::min(progress_, 1.0)), track.height()),
                     theme::kAccent);
  }
  painter.setPen(QPen(QColor(60, 62, 68), 1));
  painter.drawRect(frame.adjusted(0, 0, -1, -1));

  // Timecode and frame size under the frame, monospaced so the digits do not jitter during playback.
  QFont mono("monospace");
  mono.setStyleHint(QFont::Monospace);
  mono.setPointSizeF(font().pointSizeF());
  painter.setFont(mono);
  const QRect footer(frame.left(), frame.bottom() + 6, frame.width(), 22);
  painter.setPen(theme::kAccent);
  painter.drawText(footer, Qt::AlignLeft | Qt::AlignVCenter, timecode_);
  painter.setPen(theme::kMutedText);
  painter.drawText(footer, Qt::AlignRight | Qt::AlignVCenter,
                   QString("%1 × %2").arg(frameSize_.width()).arg(frameSize_.height()));
}

void ViewerWidget::drawImage(QPainter& painter, const QRect& frame, const QImage& image,
                             const QString& caption) const {
  if (image.isNull()) {
    painter.fillRect(frame, Qt::black);
    painter.setPen(theme::kMutedText);
    QFont font = painter.font();
    font.setPointSizeF(font.pointSizeF() * 1.1);
    painter.save();
    painter.setFont(font);
    painter.drawText(frame.adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap, caption);
    painter.restore();
    return;
  }
  // A generated image need not have the project's aspect ratio: fit it inside the frame.
  painter.fillRect(frame, Qt::black);
  QRect target(QPoint(0, 0), image.size().scaled(frame.size(), Qt::KeepAspectRatio));
  target.moveCenter(frame.center());
  painter.drawImage(target, image);
  if (caption.isEmpty()) return;
  // The caption sits in a translucent band so it stays readable over any frame.
  const QRect band(frame.left(), frame.bottom() - 30, frame.width(), 30);
  painter.fillRect(band, QColor(0, 0, 0, 150));
  painter.setPen(theme::kText);
  painter.drawText(band.adjusted(10, 0, -10, 0), Qt::AlignVCenter | Qt::AlignLeft,
                   painter.fontMetrics().elidedText(caption, Qt::ElideRight, band.width() - 20));
}

}  // namespace lanterna::ui
