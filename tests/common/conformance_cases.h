// Parameterised conformance tests: which manifest cases a test file covers, and the one check every case gets.
//   INSTANTIATE_TEST_SUITE_P(Groups, NetConformance, ValuesIn(conformanceCaseNames(inGroups({"C", "D"}))), caseName);
//   TEST_P(NetConformance, MatchesReference) { expectCaseMatchesReference(GetParam()); }
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lanterna/inference/conformance.h"
#include "test_paths.h"

namespace lanterna::testing {

// Stands in for the case list when the shared folder is absent, so that one test reports the skip and its reason.
inline constexpr const char* kSharedAbsentCase = "shared_data_absent";

using CaseFilter = std::function<bool(const nlohmann::json& entry)>;

inline bool isSchedulerCase(const nlohmann::json& entry) {
  return entry.value("component", "").find("Scheduler") != std::string::npos;
}

inline CaseFilter inGroups(std::initializer_list<const char*> groups) {
  std::vector<std::string> wanted(groups.begin(), groups.end());
  return [wanted](const nlohmann::json& entry) {
    return std::find(wanted.begin(), wanted.end(), entry.value("group", "")) != wanted.end();
  };
}

inline std::vector<std::string> conformanceCaseNames(const CaseFilter& select) {
  std::vector<std::string> names;
  std::ifstream in(conformanceDir() / "manifest.json");
  const auto manifest = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
  if (manifest.is_object())
    for (const auto& entry : manifest.value("cases", nlohmann::json::array()))
      if (select(entry)) names.push_back(entry.value("name", ""));
  if (names.empty()) names.push_back(kSharedAbsentCase);
  return names;
}

inline std::string caseName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

inline void expectCaseMatchesReference(const std::string& name) {
  LANTERNA_REQUIRE_SHARED("conformance/manifest.json");
  auto report = inference::runConformanceCase(conformanceDir(), name);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->passed) << report->detail;
  EXPECT_LE(report->worstRatio, 1.0) << "worst output: " << report->worstOutput;
}

}  // namespace lanterna::testing
