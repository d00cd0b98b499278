// Where things are on the timeline canvas: frames <-> x, tracks <-> y, and what lies under a point. Usage:
//   TimelineLayout layout{.pixelsPerFrame = 6, .scrollX = 0};
//   QRect box = layout.itemRect(document, item);  Hit hit = layout.hitTest(document, pos);
// A plain value computed on the UI thread from the Document it is given.
#pragma once

#include <QPoint>
#include <QRect>

#include "lanterna/timeline/document.h"

namespace lanterna::ui {

enum class HitZone { None, Ruler, Header, EmptyTrack, ItemBody, ItemStart, ItemEnd };

struct TimelineHit {
  HitZone zone = HitZone::None;
  timeline::TrackId track = 0;
  timeline::ItemId item = 0;
};

struct TimelineLayout {
  static constexpr int kHeaderWidth = 140;
  static constexpr int kRulerHeight = 28;
  static constexpr int kTrackHeight = 54;
  static constexpr int kTrackGap = 2;
  static constexpr int kEdgeGrip = 6;  // pixels either side of an item's edge that grab it for trimming

  double pixelsPerFrame = 6.0;
  int scrollX = 0;  // pixels of timeline scrolled off to the left

  double xOf(timeline::FrameTime time) const;
  timeline::FrameTime frameAt(int x) const;  // rounded to the nearest frame, never negative
  int trackIndexAt(int y) const;             // -1 above the first track
  QRect trackRect(int index, int width) const;
  QRect itemRect(const timeline::Document& document, const timeline::Item& item) const;
  TimelineHit hitTest(const timeline::Document& document, QPoint pos, int width) const;
};

}  // namespace lanterna::ui
