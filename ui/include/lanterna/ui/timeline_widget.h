// The timeline panel: tracks, items, ruler and playhead; click to select, drag to move or trim, Ctrl+wheel to
// zoom. Every edit goes through the Document's request…() calls, and a drag is one undo step. Usage:
//   auto* timeline = new TimelineWidget(parent);
//   timeline->setDocument(&document); timeline->setTransport(&transport);
//   connect(timeline, &TimelineWidget::selectionChanged, inspector, &InspectorWidget::showItem);
// UI thread only.
#pragma once

#include <QImage>
#include <QPointer>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <memory>

#include "lanterna/app/waveform_summary.h"

class QMenu;

#include "lanterna/timeline/document.h"
#include "lanterna/ui/timeline_layout.h"

namespace lanterna::ui {

class Transport;

// What the studio paints over an item besides the document's own data: a thumbnail (the active take, or the live
// preview while generating) and generation progress.
struct ItemDecoration {
  QImage thumbnail;
  double progress = -1.0;  // 0..1 while generating; negative: not generating
  QString badge;           // e.g. "step 7/20"
  std::shared_ptr<const app::WaveformSummary> waveform;  // audio clips: drawn across the clip once it is known
};
using DecorationProvider = std::function<ItemDecoration(timeline::ItemId)>;

class TimelineWidget : public QWidget {
  Q_OBJECT
 public:
  explicit TimelineWidget(QWidget* parent = nullptr);

  void setDocument(timeline::Document* document);
  void setTransport(Transport* transport);
  // Asked for each visible item at paint time; call update() when what it returns changes.
  void setDecorationProvider(DecorationProvider provider);
  ItemDecoration decoration(timeline::ItemId id) const;

  timeline::ItemId selectedItem() const { return selected_; }
  void setSelectedItem(timeline::ItemId id);
  double pixelsPerFrame() const { return layout_.pixelsPerFrame; }
  void setPixelsPerFrame(double pixelsPerFrame);
  // Where an item is drawn now, in widget coordinates (empty when it is not in the document).
  QRect itemRect(timeline::ItemId id) const;
  const TimelineLayout& layout() const { return layout_; }

  QSize sizeHint() const override { return {900, 260}; }
  QSize minimumSizeHint() const override { return {300, 120}; }

 public slots:
  void zoomIn();
  void zoomOut();
  void zoomToFit();

 signals:
  void selectionChanged(qint64 item);  // 0 = nothing selected
  void editRefused(const QString& reason);
  // Local files dropped from the desktop: on `track` (0 = below the last track) at `frame`.
  void filesDropped(const QStringList& paths, qint64 track, qint64 frame);
  // A right click on an item (now selected): connected slots add their entries to `menu` before it shows.
  void itemMenuRequested(QMenu* menu, qint64 item);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dragMoveEvent(QDragMoveEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void leaveEvent(QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  struct Drag {
    HitZone zone = HitZone::None;
    timeline::ItemId item = 0;
    QPoint pressPos;
    timeline::FrameTime origStart;
    timeline::FrameTime origEnd;
    bool started = false;  // moved past the drag distance
    bool applied = false;  // at least one step reached the document, so the release must commit
  };

  void dragTo(QPoint pos, timeline::Commit commit);
  timeline::FrameTime snapped(timeline::FrameTime time, timeline::ItemId ignore) const;
  void scrubTo(int x);

  QPointer<timeline::Document> document_;
  QPointer<Transport> transport_;
  TimelineLayout layout_;
  timeline::ItemId selected_ = 0;
  TimelineHit hover_;
  Drag drag_;
  bool scrubbing_ = false;
  DecorationProvider decorations_;
  bool fitPending_ = false;  // zoomToFit() before the widget has its real width waits for the first resize
};

}  // namespace lanterna::ui
