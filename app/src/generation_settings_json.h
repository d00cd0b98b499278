// GenerationSettings <-> JSON, for prompt items in the project file and for the CLI's output.
#pragma once

#include <nlohmann/json.hpp>

#include "lanterna/timeline/document_snapshot.h"

namespace lanterna::app {

nlohmann::json toJson(const timeline::GenerationSettings& settings);
// Missing keys keep their defaults, so files written before a field existed still load. Throws on wrong types.
timeline::GenerationSettings generationSettingsFromJson(const nlohmann::json& json);

}  // namespace lanterna::app
