// The arrows ui -> app -> {timeline, inference, assets} stay true: each folder's includes are scanned.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "test_paths.h"

namespace {

struct Rule {
  std::string folder;
  std::vector<std::string> forbiddenIncludePrefixes;
  std::string exemptSubfolder = {};  // e.g. app/studio: the studio executable sits on top of everything
};

std::vector<std::string> violations(const Rule& rule) {
  std::vector<std::string> found;
  const auto root = lanterna::testing::sourceDir() / rule.folder;
  if (!std::filesystem::exists(root)) return found;
  const std::regex include(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const auto ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cpp" && ext != ".hpp") continue;
    if (!rule.exemptSubfolder.empty() &&
        entry.path().string().find("/" + rule.folder + "/" + rule.exemptSubfolder + "/") != std::string::npos)
      continue;
    std::ifstream in(entry.path());
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      std::smatch match;
      if (!std::regex_search(line, match, include)) continue;
      for (const auto& prefix : rule.forbiddenIncludePrefixes)
        if (match[1].str().rfind(prefix, 0) == 0)
          found.push_back(entry.path().string() + ":" + std::to_string(number) + " includes " + match[1].str());
    }
  }
  return found;
}

const std::vector<std::string> kQt = {"Q", "qt", "Qt"};
const std::vector<std::string> kTorch = {"torch/", "ATen/", "c10/"};
const std::vector<std::string> kFfmpeg = {"libavcodec/", "libavformat/", "libavutil/", "libswscale/",
                                          "libswresample/", "libavfilter/"};

std::vector<std::string> concat(std::initializer_list<std::vector<std::string>> lists) {
  std::vector<std::string> all;
  for (const auto& list : lists) all.insert(all.end(), list.begin(), list.end());
  return all;
}

}  // namespace

TEST(Layering, InferenceUsesNoQtAndNothingAbove) {
  auto bad = violations({"inference", concat({kQt, kFfmpeg, {"opencv2/", "vulkan/", "lanterna/timeline/",
                                                             "lanterna/app/", "lanterna/assets/", "lanterna/ui/"}})});
  EXPECT_TRUE(bad.empty()) << bad.front();
}

TEST(Layering, TimelineUsesNoWidgetsTorchOrMedia) {
  auto bad = violations({"timeline", concat({kTorch, kFfmpeg, {"QtWidgets", "QWidget", "QMainWindow", "opencv2/",
                                                               "lanterna/inference/", "lanterna/app/",
                                                               "lanterna/assets/", "lanterna/ui/"}})});
  EXPECT_TRUE(bad.empty()) << bad.front();
}

TEST(Layering, AssetsUsesNoWidgetsOrTorch) {
  auto bad = violations({"assets", concat({kTorch, {"QtWidgets", "QWidget", "lanterna/app/", "lanterna/ui/",
                                                    "lanterna/timeline/", "lanterna/inference/"}})});
  EXPECT_TRUE(bad.empty()) << bad.front();
}

TEST(Layering, AppKeepsTorchAndWidgetsOut) {
  auto bad = violations({"app", concat({kTorch, {"QtWidgets", "QWidget", "QApplication", "lanterna/ui/"}}), "studio"});
  EXPECT_TRUE(bad.empty()) << bad.front();
}

TEST(Layering, UiNeverReachesTorchOrFfmpeg) {
  auto bad = violations({"ui", concat({kTorch, kFfmpeg, {"lanterna/inference/", "lanterna/assets/", "opencv2/"}})});
  EXPECT_TRUE(bad.empty()) << bad.front();
}
