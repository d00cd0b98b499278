#include "lanterna/app/generation_parameters.h"

#include <QFile>
#include <QStringList>

#include "lanterna/app/version.h"
#include "png_text.h"

namespace lanterna::app {
namespace {

struct SamplerName {
  const char* name;
  const char* label;
};
constexpr SamplerName kSamplers[] = {
    {"euler", "Euler"},       {"euler_a", "Euler a"},   {"ddim", "DDIM"},
    {"dpmpp_2m", "DPM++ 2M"}, {"dpmpp_2m_karras", "DPM++ 2M Karras"}, {"lcm", "LCM"},
};

// Splits "A: 1, B: \"x, y\", C: 3" into pairs; quoted values may contain commas.
std::map<QString, QString> splitFields(const QString& line) {
  std::map<QString, QString> fields;
  int i = 0;
  const int n = line.size();
  while (i < n) {
    while (i < n && (line[i] == ' ' || line[i] == ',')) ++i;
    const int keyStart = i;
    while (i < n && line[i] != ':') ++i;
    if (i >= n) break;
    const QString key = line.mid(keyStart, i - keyStart).trimmed();
    ++i;  // ':'
    while (i < n && line[i] == ' ') ++i;
    QString value;
    if (i < n && line[i] == '"') {
      ++i;
      while (i < n && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < n) ++i;
        value += line[i++];
      }
      ++i;  // closing quote
    } else {
      const int valueStart = i;
      while (i < n && line[i] != ',') ++i;
      value = line.mid(valueStart, i - valueStart).trimmed();
    }
    if (!key.isEmpty()) fields[key] = value;
  }
  return fields;
}

QString quoteIfNeeded(const QString& value) {
  if (!value.contains(',') && !value.contains('"') && !value.contains(':')) return value;
  QString escaped = value;
  escaped.replace("\\", "\\\\").replace("\"", "\\\"");
  return "\"" + escaped + "\"";
}

}  // namespace

QString samplerLabel(const std::string& samplerName) {
  for (const auto& s : kSamplers)
    if (samplerName == s.name) return s.label;
  return QString::fromStdString(samplerName);
}

std::string samplerNameFromLabel(const QString& label) {
  for (const auto& s : kSamplers)
    if (label.compare(s.label, Qt::CaseInsensitive) == 0 || label == s.name) return s.name;
  return label.toLower().replace(' ', '_').toStdString();
}

QString formatParameters(const inference::GenerationRequest& r, const QString& modelName, const QString& modelHash) {
  QStringList lines;
  lines << QString::fromStdString(r.prompt);
  if (!r.negativePrompt.empty()) lines << "Negative prompt: " + QString::fromStdString(r.negativePrompt);
  QStringList fields;
  fields << QString("Steps: %1").arg(r.steps);
  fields << "Sampler: " + samplerLabel(r.sampler);
  if (r.trailingSpacing) fields << "Schedule type: trailing";
  fields << QString("CFG scale: %1").arg(r.cfgScale);
  fields << QString("Seed: %1").arg(r.seed);
  fields << QString("Size: %1x%2").arg(r.width).arg(r.height);
  if (!modelHash.isEmpty()) fields << "Model hash: " + modelHash;
  if (!modelName.isEmpty()) fields << "Model: " + quoteIfNeeded(modelName);
  if (r.initImage) fields << QString("Denoising strength: %1").arg(r.strength);
  if (r.clipSkip > 1) fields << QString("Clip skip: %1").arg(r.clipSkip);
  if (r.frames > 1) {
    fields << QString("Frames: %1").arg(r.frames);
    fields << QString("FPS: %1").arg(r.fps);
    fields << QString("Motion: %1").arg(r.motionAmount);
  }
  fields << QString("Version: Lanterna %1").arg(versionString());
  lines << fields.join(", ");
  return lines.join("\n");
}

std::optional<ParsedParameters> parseParameters(const QString& text) {
  QStringList lines = text.split('\n');
  if (lines.isEmpty()) return std::nullopt;
  // The last line holding "Steps:" is the settings line; everything before is prompt and negative prompt.
  int settingsLine = -1;
  for (int i = lines.size() - 1; i >= 0; --i)
    if (lines[i].startsWith("Steps: ")) {
      settingsLine = i;
      break;
    }
  if (settingsLine < 0) return std::nullopt;

  ParsedParameters parsed;
  QStringList prompt, negative;
  bool inNegative = false;
  for (int i = 0; i < settingsLine; ++i) {
    QString line = lines[i];
    if (line.startsWith("Negative prompt:")) {
      inNegative = true;
      line = line.mid(QString("Negative prompt:").size()).trimmed();
    }
    (inNegative ? negative : prompt) << line;
  }
  parsed.request.prompt = prompt.join("\n").toStdString();
  parsed.request.negativePrompt = negative.join("\n").toStdString();
  parsed.fields = splitFields(lines[settingsLine]);

  auto field = [&](const char* key) -> std::optional<QString> {
    auto it = parsed.fields.find(key);
    if (it == parsed.fields.end()) return std::nullopt;
    return it->second;
  };
  bool ok = false;
  if (auto v = field("Steps")) parsed.request.steps = v->toInt(&ok);
  if (!ok) return std::nullopt;
  if (auto v = field("Sampler")) parsed.request.sampler = samplerNameFromLabel(*v);
  if (auto v = field("Schedule type")) {
    parsed.request.trailingSpacing = v->compare("trailing", Qt::CaseInsensitive) == 0;
    if (v->compare("Karras", Qt::CaseInsensitive) == 0 && parsed.request.sampler == "dpmpp_2m")
      parsed.request.sampler = "dpmpp_2m_karras";
  }
  if (auto v = field("CFG scale")) parsed.request.cfgScale = v->toDouble();
  if (auto v = field("Seed")) parsed.request.seed = v->toULongLong();
  if (auto v = field("Size")) {
    const QStringList parts = v->split('x');
    if (parts.size() == 2) {
      parsed.request.width = parts[0].toInt();
      parsed.request.height = parts[1].toInt();
    }
  }
  if (auto v = field("Denoising strength")) parsed.request.strength = v->toDouble();
  if (auto v = field("Clip skip")) parsed.request.clipSkip = v->toInt();
  if (auto v = field("Frames")) parsed.request.frames = v->toInt();
  if (auto v = field("FPS")) parsed.request.fps = v->toDouble();
  if (auto v = field("Motion")) parsed.request.motionAmount = v->toDouble();
  if (auto v = field("Model")) parsed.modelName = *v;
  if (auto v = field("Model hash")) parsed.modelHash = *v;
  return parsed;
}

std::optional<ParsedParameters> readParametersFromPng(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return std::nullopt;
  // Text chunks sit before the pixel data; 16 MB covers any real header and bounds a hostile file.
  const auto texts = readPngTextChunks(file.read(16 << 20));
  auto it = texts.find("parameters");
  if (it == texts.end()) return std::nullopt;
  return parseParameters(it->second);
}

}  // namespace lanterna::app
