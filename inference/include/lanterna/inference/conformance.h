// Runs a folder of reference vectors (manifest.json + *.io/*.weights.safetensors) against the engine.
//   auto report = runConformance("shared/conformance", {"A", "C"});   // Result<std::vector<CaseReport>>
//   for (auto& r : *report) std::cout << (r.passed ? "PASS" : "FAIL") << ' ' << r.name << '\n';
// Runs on the calling thread; each case loads its weights through the user-facing loading code.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "lanterna/result.h"

namespace lanterna::inference {

struct CaseReport {
  std::string name;
  std::string group;
  std::string component;
  bool passed = false;
  // Worst |actual - expected| / (atol + rtol*|expected|) over all outputs: <= 1 passes.
  double worstRatio = 0.0;
  double worstAbsError = 0.0;
  std::string worstOutput;
  std::string detail;  // why it failed, or which outputs were compared
};

// Empty groups = all. onCase (optional) is called after each case, e.g. to print a line at once.
Result<std::vector<CaseReport>> runConformance(const std::filesystem::path& folder,
                                               const std::vector<std::string>& groups = {},
                                               const std::function<void(const CaseReport&)>& onCase = {});

// Runs one named case of the folder.
Result<CaseReport> runConformanceCase(const std::filesystem::path& folder, const std::string& caseName);

}  // namespace lanterna::inference
