#include "lanterna/ui/timeline_widget.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QMenu>
#include <QMimeData>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include "lanterna/ui/theme.h"
#include "lanterna/ui/transport.h"
#include "timeline_painter.h"

namespace lanterna::ui {

using timeline::Commit;
using timeline::Edge;
using timeline::FrameTime;
using timeline::ItemId;

namespace {
constexpr double kMinPixelsPerFrame = 0.05;
constexpr double kMaxPixelsPerFrame = 60.0;
constexpr int kSnapPixels = 8;
}  // namespace

TimelineWidget::TimelineWidget(QWidget* parent) : QWidget(parent) {
  setObjectName("timeline");
  setMouseTracking(true);
  setFocusPolicy(Qt::ClickFocus);
  setAttribute(Qt::WA_OpaquePaintEvent);
  setAcceptDrops(true);
}

namespace {
QStringList localFiles(const QMimeData* mime) {
  QStringList paths;
  if (!mime || !mime->hasUrls()) return paths;
  for (const QUrl& url : mime->urls())
    if (url.isLocalFile()) paths << url.toLocalFile();
  return paths;
}
}  // namespace

void TimelineWidget::dragEnterEvent(QDragEnterEvent* event) {
  if (document_ && !localFiles(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void TimelineWidget::dragMoveEvent(QDragMoveEvent* event) {
  if (document_ && !localFiles(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void TimelineWidget::dropEvent(QDropEvent* event) {
  const QStringList paths = localFiles(event->mimeData());
  if (!document_ || paths.isEmpty()) return;
  event->acceptProposedAction();
  const QPoint pos = event->position().toPoint();
  const int index = layout_.trackIndexAt(pos.y());
  const auto& tracks = document_->tracks();
  const qint64 track = index >= 0 && index < static_cast<int>(tracks.size()) ? tracks[std::size_t(index)].id : 0;
  emit filesDropped(paths, track, layout_.frameAt(pos.x()).frames);
}

// The menu is built fresh each time, so panels add only the entries that fit the item.
void TimelineWidget::contextMenuEvent(QContextMenuEvent* event) {
  if (!document_) return;
  const TimelineHit hit = layout_.hitTest(*document_, event->pos(), width());
  if (hit.item == 0) return;
  setSelectedItem(hit.item);
  QMenu menu(this);
  menu.setObjectName("itemMenu");
  emit itemMenuRequested(&menu, hit.item);
  if (!menu.isEmpty()) menu.exec(event->globalPos());
}

void TimelineWidget::setDocument(timeline::Document* document) {
  if (document_) disconnect(document_, nullptr, this, nullptr);
  document_ = document;
  drag_ = {};
  setSelectedItem(0);
  if (document_) {
    connect(document_, &timeline::Document::changed, this, qOverload<>(&QWidget::update));
    connect(document_, &timeline::Document::itemRemoved, this, [this](qint64 id) {
      if (id == selected_) setSelectedItem(0);
    });
  }
  update();
}

void TimelineWidget::setTransport(Transport* transport) {
  if (transport_) disconnect(transport_, nullptr, this, nullptr);
  transport_ = transport;
  if (transport_) {
    connect(transport_, &Transport::playheadChanged, this, qOverload<>(&QWidget::update));
    connect(transport_, &Transport::marksChanged, this, qOverload<>(&QWidget::update));
  }
  update();
}

void TimelineWidget::setDecorationProvider(DecorationProvider provider) {
  decorations_ = std::move(provider);
  update();
}

ItemDecoration TimelineWidget::decoration(ItemId id) const { return decorations_ ? decorations_(id) : ItemDecoration{}; }

void TimelineWidget::setSelectedItem(ItemId id) {
  if (id == selected_) return;
  selected_ = id;
  update();
  emit selectionChanged(id);
}

void TimelineWidget::setPixelsPerFrame(double pixelsPerFrame) {
  layout_.pixelsPerFrame = std::clamp(pixelsPerFrame, kMinPixelsPerFrame, kMaxPixelsPerFrame);
  fitPending_ = false;  // a zoom chosen (or restored) before the first show wins over the pending fit
  update();
}

QRect TimelineWidget::itemRect(ItemId id) const {
  if (!document_) return {};
  const timeline::Item* item = document_->item(id);
  return item ? layout_.itemRect(*document_, *item) : QRect();
}

void TimelineWidget::zoomIn() { setPixelsPerFrame(layout_.pixelsPerFrame * 1.25); }

void TimelineWidget::zoomOut() { setPixelsPerFrame(layout_.pixelsPerFrame / 1.25); }

void TimelineWidget::zoomToFit() {
  const std::int64_t frames = document_ ? std::max<std::int64_t>(24, document_->duration().frames) : 240;
  layout_.scrollX = 0;
  setPixelsPerFrame((width() - TimelineLayout::kHeaderWidth - 24) / static_cast<double>(frames));
  fitPending_ = !isVisible();
}

void TimelineWidget::mousePressEvent(QMouseEvent* event) {
  if (!document_ || event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
  const QPoint pos = event->position().toPoint();
  const TimelineHit hit = layout_.hitTest(*document_, pos, width());
  switch (hit.zone) {
    case HitZone::Ruler:
      scrubbing_ = true;
      scrubTo(pos.x());
      break;
    case HitZone::ItemBody:
    case HitZone::ItemStart:
    case HitZone::ItemEnd: {
      setSelectedItem(hit.item);
      const timeline::Item* item = document_->item(hit.item);
      drag_ = Drag{hit.zone, hit.item, pos, item->start, item->end()};
      break;
    }
    default:
      setSelectedItem(0);
  }
}

void TimelineWidget::mouseMoveEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  if (scrubbing_) return scrubTo(pos.x());
  if (drag_.item != 0) {
    if (!drag_.started && (pos - drag_.pressPos).manhattanLength() < QApplication::startDragDistance()) return;
    drag_.started = true;
    return dragTo(pos, Commit::No);
  }
  if (!document_) return;
  hover_ = layout_.hitTest(*document_, pos, width());
  const bool onEdge = hover_.zone == HitZone::ItemStart || hover_.zone == HitZone::ItemEnd;
  setCursor(onEdge ? Qt::SizeHorCursor : Qt::ArrowCursor);
  update();
}

void TimelineWidget::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return QWidget::mouseReleaseEvent(event);
  scrubbing_ = false;
  if (drag_.item != 0 && drag_.started) dragTo(event->position().toPoint(), Commit::Yes);
  drag_ = {};
}

void TimelineWidget::resizeEvent(QResizeEvent*) {
  if (fitPending_) zoomToFit();
}

void TimelineWidget::leaveEvent(QEvent*) {
  hover_ = {};
  update();
}

// Each step asks the document for the position under the mouse; a refused step leaves the item at the last
// accepted one. The release sends Commit::Yes, which closes the merged undo step.
void TimelineWidget::dragTo(QPoint pos, Commit commit) {
  const timeline::Item* item = document_ ? document_->item(drag_.item) : nullptr;
  if (!item) return;
  const std::int64_t delta = std::llround((pos.x() - drag_.pressPos.x()) / layout_.pixelsPerFrame);
  timeline::EditResult result = timeline::EditResult::success();
  if (drag_.zone == HitZone::ItemBody) {
    const FrameTime length = drag_.origEnd - drag_.origStart;
    FrameTime start = snapped(drag_.origStart + FrameTime{delta}, item->id);
    // Snap the end as well: the first edge that snaps wins.
    if (start == drag_.origStart + FrameTime{delta}) start = snapped(start + length, item->id) - length;
    start = std::max(FrameTime{0}, start);
    timeline::TrackId track = item->track;
    const int index = layout_.trackIndexAt(pos.y());
    const auto& tracks = document_->tracks();
    const timeline::Track* current = document_->track(item->track);
    if (index >= 0 && index < static_cast<int>(tracks.size()) && current && tracks[index].kind == current->kind)
      track = tracks[index].id;
    if (start == item->start && track == item->track && commit == Commit::No) return;
    result = document_->requestMove(item->id, track, start, commit);
    if (!result && commit == Commit::Yes && drag_.applied)  // last spot refused: commit where the item is
      result = document_->requestMove(item->id, item->track, item->start, commit);
  } else {
    const Edge edge = drag_.zone == HitZone::ItemStart ? Edge::Start : Edge::End;
    const FrameTime from = edge == Edge::Start ? drag_.origStart : drag_.origEnd;
    const FrameTime at = snapped(std::max(FrameTime{0}, from + FrameTime{delta}), item->id);
    const FrameTime now = edge == Edge::Start ? item->start : item->end();
    if (at == now && commit == Commit::No) return;
    result = document_->requestTrim(item->id, edge, at, commit);
    if (!result && commit == Commit::Yes && drag_.applied) result = document_->requestTrim(item->id, edge, now, commit);
  }
  if (result) drag_.applied = true;
  else if (commit == Commit::Yes || !drag_.applied) emit editRefused(QString::fromStdString(result.reason));
}

// Edges pull to the playhead and to other items' edges within a few pixels, so cuts line up without zooming in.
FrameTime TimelineWidget::snapped(FrameTime time, ItemId ignore) const {
  const double reach = kSnapPixels / layout_.pixelsPerFrame;
  FrameTime best = time;
  double bestDistance = reach;
  auto consider = [&](FrameTime candidate) {
    const double distance = std::abs(static_cast<double>((candidate - time).frames));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  };
  if (transport_) consider(transport_->playhead());
  for (const timeline::Item& other : document_->snapshot().items) {
    if (other.id == ignore) continue;
    consider(other.start);
    consider(other.end());
  }
  return best;
}

void TimelineWidget::scrubTo(int x) {
  if (transport_) transport_->setPlayhead(layout_.frameAt(x));
}

void TimelineWidget::wheelEvent(QWheelEvent* event) {
  const QPoint angle = event->angleDelta();
  if (event->modifiers() & Qt::ControlModifier) {
    // Zoom around the mouse: the frame under the cursor stays under the cursor.
    const int x = static_cast<int>(event->position().x());
    const double frameUnder = (x - TimelineLayout::kHeaderWidth + layout_.scrollX) / layout_.pixelsPerFrame;
    setPixelsPerFrame(layout_.pixelsPerFrame * std::pow(1.25, angle.y() / 120.0));
    layout_.scrollX = std::max(0, static_cast<int>(frameUnder * layout_.pixelsPerFrame) - (x - TimelineLayout::kHeaderWidth));
  } else {
    const int step = angle.x() != 0 ? angle.x() : angle.y();
    layout_.scrollX = std::max(0, layout_.scrollX - step);
  }
  update();
  event->accept();
}

void TimelineWidget::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.fillRect(rect(), theme::kBase);
  if (!document_) return;
  TimelinePainter paint{painter, *document_, layout_, width(), height(), decorations_};
  paint.tracks(selected_, hover_);
  paint.ruler();
  if (transport_) paint.marks(transport_->inPoint(), transport_->outPoint());
  paint.playhead(transport_ ? transport_->playhead() : FrameTime{0});
}

}  // namespace lanterna::ui
