// `lanterna-cli conformance DIR [--groups A,B,…]`: one line per case, non-zero exit if any fails.
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "lanterna/inference/conformance.h"

namespace lanterna::cli {

void addConformanceCommands(CLI::App& app, int& exitCode) {
  auto* command = app.add_subcommand("conformance", "Check the engine against a folder of reference vectors");
  auto folder = std::make_shared<std::string>();
  auto groups = std::make_shared<std::vector<std::string>>();
  command->add_option("dir", *folder, "Folder with manifest.json (e.g. ../shared/conformance)")->required();
  command->add_option("--groups", *groups, "Only these groups (letters, comma-separated)")->delimiter(',');
  command->callback([folder, groups, &exitCode] {
    int passed = 0, failed = 0;
    auto reports = inference::runConformance(*folder, *groups, [&](const inference::CaseReport& r) {
      r.passed ? ++passed : ++failed;
      std::printf("%s %-32s group %s  worst %.3g of tolerance%s%s\n", r.passed ? "PASS" : "FAIL", r.name.c_str(),
                  r.group.c_str(), r.worstRatio, r.detail.empty() ? "" : "  ", r.passed ? "" : r.detail.c_str());
      std::fflush(stdout);
    });
    if (!reports) {
      std::cerr << reports.error().message << "\n";
      exitCode = kExitBadInput;
      return;
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    exitCode = failed == 0 && passed > 0 ? kExitOk : kExitFailure;
  });
}

}  // namespace lanterna::cli
