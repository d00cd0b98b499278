// Draws the timeline canvas for TimelineWidget: track rows and headers, items, ruler and playhead.
// A short-lived helper made inside paintEvent; UI thread only.
#pragma once

#include <QPainter>

#include "lanterna/timeline/document.h"
#include "lanterna/ui/timeline_layout.h"
#include "lanterna/ui/timeline_widget.h"

namespace lanterna::ui {

struct TimelinePainter {
  QPainter& painter;
  const timeline::Document& document;
  const TimelineLayout& layout;
  int width;
  int height;
  const DecorationProvider& decorations;

  void tracks(timeline::ItemId selected, const TimelineHit& hover) const;
  void ruler() const;
  void playhead(timeline::FrameTime time) const;
  // The in/out range on the ruler; a negative mark is unset (then the range runs to that end).
  void marks(timeline::FrameTime in, timeline::FrameTime out) const;

 private:
  void item(const timeline::Item& item, bool selected, const TimelineHit& hover) const;
  int decorate(const timeline::Item& item, const QRect& box) const;
  void waveform(const timeline::Item& item, const QRect& box, const app::WaveformSummary& summary) const;
  void header(const timeline::Track& track, const QRect& row) const;
};

}  // namespace lanterna::ui
