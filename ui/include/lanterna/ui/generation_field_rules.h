// The rules the inspector applies to typed generation settings: each parse…() reads one field's text into the
// settings, or returns why the text is refused (empty = accepted). Input is never silently clamped. Usage:
//   QString why = parseSteps("0", settings);   // "Steps must be between 1 and 150." — settings unchanged
// Pure functions; any thread.
#pragma once

#include <QString>

#include "lanterna/timeline/document_snapshot.h"

namespace lanterna::ui {

QString parseSteps(const QString& text, timeline::GenerationSettings& settings);
QString parseCfg(const QString& text, timeline::GenerationSettings& settings);
QString parseSeed(const QString& text, timeline::GenerationSettings& settings);
QString parseWidth(const QString& text, timeline::GenerationSettings& settings);
QString parseHeight(const QString& text, timeline::GenerationSettings& settings);
QString parseFrames(const QString& text, timeline::GenerationSettings& settings);
QString parseFps(const QString& text, timeline::GenerationSettings& settings);
QString parseStrength(const QString& text, timeline::GenerationSettings& settings);
QString parseMotion(const QString& text, timeline::GenerationSettings& settings);
// Seconds; sets the frames (at the settings' fps) that last that long.
QString parseDuration(const QString& text, timeline::GenerationSettings& settings);

}  // namespace lanterna::ui
