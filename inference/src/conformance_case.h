// Internals of the conformance runner: one manifest case, its tensors, and comparison against tolerances.
// A component family implements a CaseRunner and lists it in conformance_registry.cpp.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "lanterna/inference/conformance.h"
#include "lanterna/inference/safetensors.h"

namespace lanterna::inference {

struct ConformanceCase {
  std::filesystem::path folder;
  std::string name;
  std::string group;
  std::string component;
  nlohmann::json entry;  // the whole manifest entry: config, inputs, outputs, tolerance, notes
  const nlohmann::json& config() const { return entry.at("config"); }
  std::vector<std::filesystem::path> weightFiles() const;  // from "weights", comma-separated
  std::filesystem::path ioFile() const;
};

// Inputs ("in.x") and expected outputs ("out.y") of a case, as CPU tensors (copied, safe to keep).
class CaseTensors {
 public:
  explicit CaseTensors(const ConformanceCase& testCase);
  at::Tensor input(const std::string& name) const;     // throws if missing
  at::Tensor expected(const std::string& name) const;  // throws if missing
  bool hasInput(const std::string& name) const;
  bool hasExpected(const std::string& name) const;
  std::vector<std::string> expectedNames() const;

 private:
  std::map<std::string, at::Tensor> tensors_;
};

// Accumulates output comparisons into a report, using the case's per-output tolerance.
class CaseChecker {
 public:
  explicit CaseChecker(const ConformanceCase& testCase);
  // Float outputs: allclose with the manifest's atol/rtol; integer outputs (or "exact"): equality.
  void compare(const std::string& output, const at::Tensor& actual, const at::Tensor& expected);
  void fail(const std::string& why);
  CaseReport report() const;

 private:
  const ConformanceCase& case_;
  CaseReport report_;
  bool anyCompared_ = false;
};

using CaseRunner = CaseReport (*)(const ConformanceCase&);

// Returns nullptr when no runner knows the component.
CaseRunner findCaseRunner(const ConformanceCase& testCase);

}  // namespace lanterna::inference
