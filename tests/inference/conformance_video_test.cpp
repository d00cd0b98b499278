// Groups H (AnimateDiff motion UNet) and I (Stable Video Diffusion: UNet, temporal VAE, CLIP vision, EDM Euler) of
// the shared conformance vectors, one test per manifest case, through the same entry point as the CLI.
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lanterna/inference/conformance.h"
#include "test_paths.h"

namespace lanterna::inference {
namespace {

std::vector<std::string> videoCaseNames() {
  std::vector<std::string> names;
  std::ifstream in(lanterna::testing::conformanceDir() / "manifest.json");
  if (in) {
    const auto manifest = nlohmann::json::parse(in, nullptr, false);
    if (manifest.is_object())
      for (const auto& entry : manifest.value("cases", nlohmann::json::array())) {
        const std::string group = entry.value("group", "");
        if (group == "H" || group == "I") names.push_back(entry.value("name", ""));
      }
  }
  if (names.empty()) names.push_back("shared_data_absent");  // one test that skips with the reason
  return names;
}

class VideoConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(VideoConformance, MatchesReference) {
  LANTERNA_REQUIRE_SHARED("conformance/manifest.json");
  auto report = runConformanceCase(lanterna::testing::conformanceDir(), GetParam());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->passed) << report->detail;
  EXPECT_LE(report->worstRatio, 1.0) << report->worstOutput;
}

INSTANTIATE_TEST_SUITE_P(Groups, VideoConformance, ::testing::ValuesIn(videoCaseNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace lanterna::inference
