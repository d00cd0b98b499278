#include "timeline_painter.h"

#include <QPainterPath>

#include <algorithm>
#include <array>
#include <cmath>
#include <variant>

#include "lanterna/ui/theme.h"

namespace lanterna::ui {

using timeline::FrameTime;
using timeline::TrackKind;

namespace {

QColor kindColor(TrackKind kind) {
  switch (kind) {
    case TrackKind::Prompt: return theme::kPromptItem;
    case TrackKind::ReferenceImage: return theme::kReferenceItem;
    case TrackKind::Video: return theme::kVideoItem;
    case TrackKind::Audio: return theme::kAudioItem;
  }
  return theme::kPanel;
}

QString itemLabel(const timeline::Item& item) {
  if (const auto* prompt = std::get_if<timeline::PromptPayload>(&item.payload)) {
    const QString text = QString::fromStdString(prompt->settings.prompt).simplified();
    return text.isEmpty() ? QStringLiteral("(empty prompt)") : text;
  }
  if (std::holds_alternative<timeline::ReferenceImagePayload>(item.payload)) return QStringLiteral("Reference image");
  if (const auto* video = std::get_if<timeline::VideoPayload>(&item.payload)) {
    if (video->takes.empty()) return QStringLiteral("Clip %1").arg(item.id);
    return QStringLiteral("Clip %1 · take %2/%3").arg(item.id).arg(video->activeTake + 1).arg(video->takes.size());
  }
  return QStringLiteral("Audio %1").arg(item.id);
}

// A major tick every 1, 2, 5, 10… seconds (or frames when zoomed far in), whichever first leaves ~90 px apart.
std::int64_t majorTickFrames(double pixelsPerFrame, std::int64_t fps) {
  constexpr std::array<std::int64_t, 4> kFrameSteps{1, 2, 5, 10};
  for (std::int64_t step : kFrameSteps)
    if (step < fps && step * pixelsPerFrame >= 90) return step;
  constexpr std::array<std::int64_t, 9> kSecondSteps{1, 2, 5, 10, 15, 30, 60, 120, 300};
  for (std::int64_t seconds : kSecondSteps)
    if (seconds * fps * pixelsPerFrame >= 90) return seconds * fps;
  return 600 * fps;
}

}  // namespace

void TimelinePainter::tracks(timeline::ItemId selected, const TimelineHit& hover) const {
  const auto& all = document.tracks();
  for (int index = 0; index < static_cast<int>(all.size()); ++index) {
    const QRect row = layout.trackRect(index, width);
    painter.fillRect(row, index % 2 ? theme::kBase : theme::kBase.lighter(108));
    painter.save();
    painter.setClipRect(QRect(TimelineLayout::kHeaderWidth, row.top(), width, row.height()));
    for (const timeline::Item* it : document.itemsOnTrack(all[index].id)) item(*it, it->id == selected, hover);
    painter.restore();
    header(all[index], row);
  }
  if (all.empty()) {
    painter.setPen(theme::kMutedText);
    painter.drawText(QRect(0, TimelineLayout::kRulerHeight, width, height - TimelineLayout::kRulerHeight),
                     Qt::AlignCenter, QStringLiteral("No tracks yet"));
  }
}

void TimelinePainter::header(const timeline::Track& track, const QRect& row) const {
  const QRect box(0, row.top(), TimelineLayout::kHeaderWidth, row.height());
  painter.fillRect(box, theme::kPanel);
  painter.fillRect(QRect(box.left(), box.top(), 4, box.height()), kindColor(track.kind));
  painter.setPen(theme::kText);
  const QRect text = box.adjusted(14, 8, -8, -8);
  painter.drawText(text, Qt::AlignLeft | Qt::AlignTop, QString::fromStdString(track.name));
  painter.setPen(theme::kMutedText);
  QFont small = painter.font();
  small.setPointSizeF(small.pointSizeF() * 0.85);
  painter.save();
  painter.setFont(small);
  painter.drawText(text, Qt::AlignLeft | Qt::AlignBottom, QString::fromUtf8(timeline::trackKindName(track.kind)));
  painter.restore();
  painter.setPen(QColor(20, 20, 22));
  painter.drawLine(box.topRight(), box.bottomRight());
}

void TimelinePainter::item(const timeline::Item& it, bool selected, const TimelineHit& hover) const {
  const QRect box = layout.itemRect(document, it);
  if (box.right() < TimelineLayout::kHeaderWidth || box.left() > width) return;
  const QColor base = kindColor(timeline::payloadKind(it.payload));
  painter.setRenderHint(QPainter::Antialiasing);
  QPainterPath shape;
  shape.addRoundedRect(QRectF(box).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
  painter.fillPath(shape, selected ? base : base.darker(135));
  painter.setPen(selected ? QPen(theme::kAccent, 2) : QPen(base.lighter(120), 1));
  painter.drawPath(shape);

  // Fades are drawn as the usual ramps from the top corners.
  painter.setPen(QPen(QColor(255, 255, 255, 110), 1));
  if (it.fadeIn.frames > 0)
    painter.drawLine(QPointF(box.left(), box.bottom()), QPointF(layout.xOf(it.start + it.fadeIn), box.top()));
  if (it.fadeOut.frames > 0)
    painter.drawLine(QPointF(layout.xOf(it.end() - it.fadeOut), box.top()), QPointF(box.right(), box.bottom()));

  // Grips show where a trim can start when the mouse is over an edge.
  if (hover.item == it.id && (hover.zone == HitZone::ItemStart || hover.zone == HitZone::ItemEnd)) {
    const int x = hover.zone == HitZone::ItemStart ? box.left() : box.right() - 3;
    painter.fillRect(QRect(x, box.top() + 4, 4, box.height() - 8), theme::kAccent);
  }
  painter.setRenderHint(QPainter::Antialiasing, false);
  const int thumbnailWidth = decorate(it, box);
  const QRect textBox = box.adjusted(8 + thumbnailWidth, 4, -8, -4);
  if (textBox.width() < 12) return;
  painter.setPen(selected ? Qt::white : theme::kText);
  painter.drawText(textBox, Qt::AlignLeft | Qt::AlignTop,
                   painter.fontMetrics().elidedText(itemLabel(it), Qt::ElideRight, textBox.width()));
  painter.setPen(QColor(255, 255, 255, 150));
  const double seconds = document.settings().frameRate.toSeconds(it.duration).toDouble();
  painter.drawText(textBox, Qt::AlignLeft | Qt::AlignBottom, QStringLiteral("%1 s").arg(seconds, 0, 'f', 1));
}

// The thumbnail fills the clip's left end (so the label stays readable to its right); progress is a thin bar along
// the bottom edge with the step count above it.
int TimelinePainter::decorate(const timeline::Item& it, const QRect& box) const {
  if (!decorations) return 0;
  int used = 0;
  const ItemDecoration decoration = decorations(it.id);
  if (decoration.waveform && !decoration.waveform->empty()) waveform(it, box, *decoration.waveform);
  if (!decoration.thumbnail.isNull() && box.width() > 24) {
    const int side = box.height() - 6;
    QRect thumb(QPoint(0, 0), decoration.thumbnail.size().scaled(QSize(side * 2, side), Qt::KeepAspectRatio));
    thumb.moveTopLeft(box.topLeft() + QPoint(3, 3));
    thumb.setWidth(std::min(thumb.width(), box.width() - 6));
    painter.save();
    painter.setClipRect(thumb);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(QRect(thumb.topLeft(), decoration.thumbnail.size().scaled(QSize(side * 2, side),
                                                                                Qt::KeepAspectRatio)),
                      decoration.thumbnail);
    painter.restore();
    used = thumb.width();
  }
  if (decoration.progress >= 0.0) {
    const QRect bar(box.left() + 2, box.bottom() - 4, box.width() - 4, 3);
    painter.fillRect(bar, QColor(0, 0, 0, 140));
    painter.fillRect(QRect(bar.topLeft(), QSize(int(bar.width() * std::min(decoration.progress, 1.0)), bar.height())),
                     theme::kAccent);
  }
  if (!decoration.badge.isEmpty()) {
    painter.setPen(Qt::white);
    painter.drawText(box.adjusted(8, 4, -8, -8), Qt::AlignRight | Qt::AlignBottom, decoration.badge);
  }
  return used;
}

// One vertical line per pixel column from the column's min to its max, with the RMS as a brighter core (as
// Audacity draws it); the clip's in point says where in the audio the box starts.
void TimelinePainter::waveform(const timeline::Item& it, const QRect& box, const app::WaveformSummary& summary) const {
  const auto* audio = std::get_if<timeline::AudioPayload>(&it.payload);
  const double fps = document.settings().frameRate.toDouble();
  if (!audio || fps <= 0.0 || layout.pixelsPerFrame <= 0.0) return;
  const double secondsPerPixel = 1.0 / (fps * layout.pixelsPerFrame);
  const double startSeconds = double(audio->inPoint.frames) / fps;
  const int centre = box.center().y();
  const double halfHeight = (box.height() - 8) / 2.0;
  const QColor outline(255, 255, 255, 60), core(255, 255, 255, 110);  // dim enough to read the label over
  const int left = std::max(box.left() + 1, TimelineLayout::kHeaderWidth);
  const int right = std::min(box.right() - 1, width);
  for (int x = left; x <= right; ++x) {
    const double from = startSeconds + (x - box.left()) * secondsPerPixel;
    const app::WaveformPeak peak = summary.span(from, from + secondsPerPixel);
    if (peak.max <= peak.min && peak.rms <= 0.0f) continue;  // silence draws nothing
    const auto y = [&](double v) { return centre - int(std::lround(std::clamp(v, -1.0, 1.0) * halfHeight)); };
    painter.setPen(outline);
    painter.drawLine(x, y(peak.max), x, y(peak.min));
    painter.setPen(core);
    painter.drawLine(x, y(peak.rms), x, y(-peak.rms));
  }
}

void TimelinePainter::ruler() const {
  const QRect bar(0, 0, width, TimelineLayout::kRulerHeight);
  painter.fillRect(bar, theme::kPanel);
  painter.setPen(QColor(20, 20, 22));
  painter.drawLine(bar.bottomLeft(), bar.bottomRight());
  const auto rate = document.settings().frameRate;
  const std::int64_t fps = std::max<std::int64_t>(1, std::llround(rate.toDouble()));
  const std::int64_t major = majorTickFrames(layout.pixelsPerFrame, fps);
  const std::int64_t minor = std::max<std::int64_t>(1, major / 5);
  const std::int64_t first = layout.frameAt(TimelineLayout::kHeaderWidth).frames / major * major;
  const std::int64_t last = layout.frameAt(width).frames + major;
  painter.save();
  painter.setClipRect(QRect(TimelineLayout::kHeaderWidth, 0, width, bar.height()));
  for (std::int64_t frame = first; frame <= last; frame += minor) {
    const int x = static_cast<int>(layout.xOf(FrameTime{frame}));
    const bool isMajor = frame % major == 0;
    painter.setPen(isMajor ? theme::kMutedText : QColor(80, 82, 88));
    painter.drawLine(x, bar.bottom() - (isMajor ? 10 : 5), x, bar.bottom());
    if (!isMajor) continue;
    const std::int64_t seconds = frame / fps;
    const QString label = major < fps ? QStringLiteral("%1:%2").arg(seconds).arg(frame % fps, 2, 10, QChar('0'))
                                      : QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QChar('0'));
    painter.setPen(theme::kText);
    painter.drawText(x + 4, bar.top() + 14, label);
  }
  painter.restore();
  painter.fillRect(QRect(0, 0, TimelineLayout::kHeaderWidth, bar.height()), theme::kPanel.darker(110));
}

void TimelinePainter::marks(FrameTime in, FrameTime out) const {
  if (in < FrameTime{0} && out < FrameTime{0}) return;
  const int left = in < FrameTime{0} ? TimelineLayout::kHeaderWidth : static_cast<int>(layout.xOf(in));
  const int right = out < FrameTime{0} ? width : static_cast<int>(layout.xOf(out + FrameTime{1}));
  painter.save();
  painter.setClipRect(QRect(TimelineLayout::kHeaderWidth, 0, width, height));
  QColor range = theme::kAccent;
  range.setAlpha(70);
  painter.fillRect(QRect(left, TimelineLayout::kRulerHeight - 6, right - left, 6), range);
  painter.setPen(QPen(theme::kAccent, 2));
  if (in >= FrameTime{0}) painter.drawLine(left, TimelineLayout::kRulerHeight - 10, left, TimelineLayout::kRulerHeight);
  if (out >= FrameTime{0}) painter.drawLine(right, TimelineLayout::kRulerHeight - 10, right, TimelineLayout::kRulerHeight);
  painter.restore();
}

void TimelinePainter::playhead(FrameTime time) const {
  const double x = layout.xOf(time);
  if (x < TimelineLayout::kHeaderWidth || x > width) return;
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(QPen(theme::kAccent, 1.5));
  painter.drawLine(QPointF(x, TimelineLayout::kRulerHeight - 8), QPointF(x, height));
  QPainterPath handle;
  handle.moveTo(x - 6, TimelineLayout::kRulerHeight - 12);
  handle.lineTo(x + 6, TimelineLayout::kRulerHeight - 12);
  handle.lineTo(x, TimelineLayout::kRulerHeight - 4);
  handle.closeSubpath();
  painter.fillPath(handle, theme::kAccent);
}

}  // namespace lanterna::ui
