#include "lanterna/ui/timeline_layout.h"

#include <cmath>

namespace lanterna::ui {

using timeline::FrameTime;

double TimelineLayout::xOf(FrameTime time) const {
  return kHeaderWidth + static_cast<double>(time.frames) * pixelsPerFrame - scrollX;
}

FrameTime TimelineLayout::frameAt(int x) const {
  const double frames = (x - kHeaderWidth + scrollX) / pixelsPerFrame;
  return FrameTime{std::max<std::int64_t>(0, std::llround(frames))};
}

int TimelineLayout::trackIndexAt(int y) const {
  if (y < kRulerHeight) return -1;
  return (y - kRulerHeight) / (kTrackHeight + kTrackGap);
}

QRect TimelineLayout::trackRect(int index, int width) const {
  return QRect(0, kRulerHeight + index * (kTrackHeight + kTrackGap), width, kTrackHeight);
}

QRect TimelineLayout::itemRect(const timeline::Document& document, const timeline::Item& item) const {
  const auto& tracks = document.tracks();
  int index = 0;
  while (index < static_cast<int>(tracks.size()) && tracks[index].id != item.track) ++index;
  const QRect row = trackRect(index, 0);
  const int left = static_cast<int>(std::lround(xOf(item.start)));
  const int right = static_cast<int>(std::lround(xOf(item.end())));
  return QRect(QPoint(left, row.top() + 3), QPoint(right - 1, row.bottom() - 3));
}

TimelineHit TimelineLayout::hitTest(const timeline::Document& document, QPoint pos, int width) const {
  if (pos.y() < kRulerHeight) return {HitZone::Ruler};
  const int index = trackIndexAt(pos.y());
  const auto& tracks = document.tracks();
  if (index < 0 || index >= static_cast<int>(tracks.size()) || !trackRect(index, width).contains(pos))
    return {HitZone::None};
  const timeline::TrackId track = tracks[index].id;
  if (pos.x() < kHeaderWidth) return {HitZone::Header, track};
  // Edges win over bodies so a short item can still be trimmed; the nearer edge wins when both are in reach.
  for (const timeline::Item* item : document.itemsOnTrack(track)) {
    const QRect box = itemRect(document, *item);
    if (pos.x() < box.left() - kEdgeGrip || pos.x() > box.right() + kEdgeGrip) continue;
    const int toStart = std::abs(pos.x() - box.left());
    const int toEnd = std::abs(pos.x() - box.right());
    const int grip = std::min(kEdgeGrip, box.width() / 4);
    if (toStart <= grip && toStart <= toEnd) return {HitZone::ItemStart, track, item->id};
    if (toEnd <= grip) return {HitZone::ItemEnd, track, item->id};
    if (box.contains(pos)) return {HitZone::ItemBody, track, item->id};
  }
  return {HitZone::EmptyTrack, track};
}

}  // namespace lanterna::ui
