// The clip menu entries for speed and frame conform: "Speed…" and "Conform ▸ Repeat frames | Optical flow", both
// applied through the document's undo stack. Usage (from a context menu or the Edit menu):
//   addClipSpeedEntries(*menu, document, clip, window, [&](const QString& why) { showStatus(why); });
// UI thread only (the document lives there).
#pragma once

#include <QString>

#include <functional>

#include "lanterna/timeline/document.h"

class QMenu;
class QWidget;

namespace lanterna::ui {

using RefusalSink = std::function<void(const QString& reason)>;

// Adds nothing unless `item` is a video clip. The speed dialog takes "50%", "2x", "0.5" or "1/3".
void addClipSpeedEntries(QMenu& menu, timeline::Document& document, timeline::ItemId item, QWidget* dialogParent,
                         RefusalSink refused);

// What "Speed…" does once the text is typed: parse, then one undoable edit; false (and `refused` told why) if not.
bool applySpeedText(timeline::Document& document, timeline::ItemId item, const QString& text, const RefusalSink& refused);

}  // namespace lanterna::ui
