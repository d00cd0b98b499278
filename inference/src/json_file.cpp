#include "json_file.h"

#include <fstream>

#include "weights.h"

namespace lanterna::inference {

std::string quotedFileName(const std::filesystem::path& path) { return "\"" + path.filename().string() + "\""; }

nlohmann::json readJsonFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw WeightsError("cannot read " + quotedFileName(path));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw WeightsError(quotedFileName(path) + " is not valid JSON (" + e.what() + ")");
  }
}

}  // namespace lanterna::inference
