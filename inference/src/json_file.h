// Reads a model's JSON config file, throwing WeightsError with the file's name when it is missing or malformed.
// Internal to inference/; used by the loaders. Thread-safe.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace lanterna::inference {

std::string quotedFileName(const std::filesystem::path& path);
nlohmann::json readJsonFile(const std::filesystem::path& path);

}  // namespace lanterna::inference
