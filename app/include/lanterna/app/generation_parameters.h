// The "parameters" text that A1111-style tools write into PNGs, so other tools (and Lanterna) can read a
// generation's settings back from the image. Usage:
//   QString text = formatParameters(request, "toyworld", "a1b2c3d4e5");
//   auto parsed = parseParameters(text);   // std::optional<ParsedParameters>
// Pure functions; thread-safe.
#pragma once

#include <QImage>
#include <QString>

#include <map>
#include <optional>

#include "lanterna/inference/engine.h"

namespace lanterna::app {

struct ParsedParameters {
  inference::GenerationRequest request;
  QString modelName;
  QString modelHash;
  // Every "Key: value" pair as written, including ones Lanterna does not use (e.g. "Lora hashes").
  std::map<QString, QString> fields;
};

QString formatParameters(const inference::GenerationRequest& request, const QString& modelName,
                         const QString& modelHash);
std::optional<ParsedParameters> parseParameters(const QString& text);

// A1111's sampler labels ("Euler a", "DPM++ 2M Karras") <-> Lanterna's names ("euler_a", "dpmpp_2m_karras").
QString samplerLabel(const std::string& samplerName);
std::string samplerNameFromLabel(const QString& label);

// Reads the "parameters" text chunk of a PNG (written by Lanterna, A1111, or compatible tools).
std::optional<ParsedParameters> readParametersFromPng(const QString& path);

}  // namespace lanterna::app
