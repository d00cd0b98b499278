// Conformance vectors of groups A (tokenizer), B (CLIP text), E (schedulers) and SVD's EDM Euler schedule (group I),
// one test per manifest case.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "lanterna/inference/conformance.h"
#include "test_paths.h"

using namespace lanterna;

namespace {

constexpr const char* kMissing = "shared_conformance_folder_missing";

std::vector<std::string> caseNames() {
  std::vector<std::string> names;
  std::ifstream in(lanterna::testing::conformanceDir() / "manifest.json");
  if (in) {
    try {
      const auto manifest = nlohmann::json::parse(in);
      for (const auto& entry : manifest.at("cases")) {
        const std::string group = entry.value("group", "");
        const bool svdSchedule = group == "I" && entry.value("component", "").find("Scheduler") != std::string::npos;
        if (group == "A" || group == "B" || group == "E" || svdSchedule) names.push_back(entry.at("name"));
      }
    } catch (const nlohmann::json::exception&) {
    }
  }
  if (names.empty()) names.push_back(kMissing);
  return names;
}

class ConformanceText : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(ConformanceText, MatchesReference) {
  if (GetParam() == kMissing) LANTERNA_REQUIRE_SHARED("conformance/manifest.json");
  auto report = inference::runConformanceCase(lanterna::testing::conformanceDir(), GetParam());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->passed) << report->detail;
  EXPECT_LE(report->worstRatio, 1.0) << "worst output: " << report->worstOutput;
}

INSTANTIATE_TEST_SUITE_P(Groups, ConformanceText, ::testing::ValuesIn(caseNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });
