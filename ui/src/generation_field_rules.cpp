#include "lanterna/ui/generation_field_rules.h"

#include <cmath>
#include <limits>

namespace lanterna::ui {

namespace {

constexpr int kMaxSteps = 150;
constexpr int kMinSide = 64;
constexpr int kMaxSide = 2048;
constexpr int kMaxFrames = 256;
constexpr double kMaxCfg = 30.0;

QString parseInt(const QString& text, const char* name, qint64 low, qint64 high, qint64& out) {
  bool ok = false;
  const qint64 value = text.trimmed().toLongLong(&ok);
  if (!ok) return QStringLiteral("%1 must be a whole number.").arg(name);
  if (value < low || value > high) return QStringLiteral("%1 must be between %2 and %3.").arg(name).arg(low).arg(high);
  out = value;
  return {};
}

QString parseReal(const QString& text, const char* name, double low, double high, double& out) {
  bool ok = false;
  const double value = text.trimmed().toDouble(&ok);
  if (!ok) return QStringLiteral("%1 must be a number.").arg(name);
  if (value < low || value > high) return QStringLiteral("%1 must be between %2 and %3.").arg(name).arg(low).arg(high);
  out = value;
  return {};
}

// Latents are 1/8 of the image, so sides that are not multiples of 8 cannot be generated exactly.
QString parseSide(const QString& text, const char* name, int& out) {
  qint64 value = 0;
  if (QString why = parseInt(text, name, kMinSide, kMaxSide, value); !why.isEmpty()) return why;
  if (value % 8 != 0)
    return QStringLiteral("%1 must be a multiple of 8 (try %2).").arg(name).arg((value + 4) / 8 * 8);
  out = static_cast<int>(value);
  return {};
}

}  // namespace

QString parseSteps(const QString& text, timeline::GenerationSettings& settings) {
  qint64 value = 0;
  QString why = parseInt(text, "Steps", 1, kMaxSteps, value);
  if (why.isEmpty()) settings.steps = static_cast<int>(value);
  return why;
}

QString parseCfg(const QString& text, timeline::GenerationSettings& settings) {
  double value = 0;
  QString why = parseReal(text, "CFG", 0.0, kMaxCfg, value);
  if (why.isEmpty()) settings.cfg = value;
  return why;
}

QString parseSeed(const QString& text, timeline::GenerationSettings& settings) {
  qint64 value = 0;
  QString why = parseInt(text, "Seed", 0, std::numeric_limits<qint64>::max(), value);
  if (why.isEmpty()) settings.seed = value;
  return why;
}

QString parseWidth(const QString& text, timeline::GenerationSettings& settings) {
  return parseSide(text, "Width", settings.width);
}

QString parseHeight(const QString& text, timeline::GenerationSettings& settings) {
  return parseSide(text, "Height", settings.height);
}

QString parseFrames(const QString& text, timeline::GenerationSettings& settings) {
  qint64 value = 0;
  QString why = parseInt(text, "Frames", 1, kMaxFrames, value);
  if (why.isEmpty()) settings.frames = static_cast<int>(value);
  return why;
}

QString parseFps(const QString& text, timeline::GenerationSettings& settings) {
  const auto rate = timeline::FrameRate::parse(text.trimmed().toStdString());
  if (!rate || !rate->valid())
    return QStringLiteral("FPS must be a whole number or a fraction such as 30000/1001.");
  if (rate->toDouble() > 120.0) return QStringLiteral("FPS must be at most 120.");
  settings.fps = *rate;
  return {};
}

QString parseStrength(const QString& text, timeline::GenerationSettings& settings) {
  return parseReal(text, "Strength", 0.0, 1.0, settings.strength);
}

QString parseMotion(const QString& text, timeline::GenerationSettings& settings) {
  return parseReal(text, "Motion", 0.0, 1.0, settings.motionAmount);
}

QString parseDuration(const QString& text, timeline::GenerationSettings& settings) {
  double seconds = 0;
  const double fps = settings.fps.valid() ? settings.fps.toDouble() : 8.0;
  if (QString why = parseReal(text, "Duration", 0.0, kMaxFrames / fps, seconds); !why.isEmpty()) return why;
  const int frames = static_cast<int>(std::lround(seconds * fps));
  if (frames < 1) return QStringLiteral("Duration must be at least one frame (%1 s).").arg(1.0 / fps, 0, 'f', 3);
  settings.frames = frames;
  return {};
}

}  // namespace lanterna::ui
