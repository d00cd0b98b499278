// The studio's dark look: Fusion style, a dark palette and a small style sheet for spacing. Usage:
//   lanterna::ui::applyDarkTheme(application);   // once, before the first window is shown
// UI thread only.
#pragma once

#include <QColor>

class QApplication;

namespace lanterna::ui {

void applyDarkTheme(QApplication& application);

// Colours the custom-painted widgets share with the palette, so the timeline and viewer match the docks.
namespace theme {
inline const QColor kWindow{37, 38, 41};
inline const QColor kBase{27, 28, 30};
inline const QColor kPanel{45, 46, 50};
inline const QColor kText{222, 224, 228};
inline const QColor kMutedText{140, 144, 152};
inline const QColor kAccent{255, 170, 64};  // lantern amber: selection, playhead
inline const QColor kPromptItem{112, 88, 196};
inline const QColor kReferenceItem{64, 140, 160};
inline const QColor kVideoItem{58, 120, 204};
inline const QColor kAudioItem{58, 160, 100};
inline const QColor kError{236, 96, 88};
}  // namespace theme

}  // namespace lanterna::ui
