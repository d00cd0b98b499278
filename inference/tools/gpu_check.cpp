// lanterna-gpu-check CONFORMANCE_DIR: runs the whole-pipeline conformance case (CLIP, UNet, VAE, scheduler) on the
// CUDA device in fp32 (must pass the manifest's tolerance) and fp16/bf16 (reports the error), and times steps.
// Built with the engine alone, so it runs on a GPU machine that has only pip's LibTorch.
#include <ATen/Context.h>
#include <c10/core/InferenceMode.h>

#include <cstdio>
#include <fstream>

#include "conformance_case.h"
#include "lanterna/inference/engine.h"

namespace lanterna::inference {
CaseReport runPipelineCaseWith(const ConformanceCase& testCase, const EngineOptions& options);
}

using namespace lanterna::inference;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lanterna-gpu-check CONFORMANCE_DIR\n");
    return 2;
  }
  if (!at::hasCUDA()) {
    std::fprintf(stderr, "no CUDA device\n");
    return 2;
  }
  std::ifstream in(std::filesystem::path(argv[1]) / "manifest.json");
  nlohmann::json manifest;
  in >> manifest;
  ConformanceCase testCase;
  for (const auto& entry : manifest["cases"])
    if (entry["name"] == "txt2img_tiny") {
      testCase.folder = argv[1];
      testCase.name = "txt2img_tiny";
      testCase.group = "F";
      testCase.component = entry["component"];
      testCase.entry = entry;
    }
  int failures = 0;
  for (auto [precision, label] : {std::pair{Precision::F32, "fp32"}, std::pair{Precision::F16, "fp16"},
                                  std::pair{Precision::BF16, "bf16"}}) {
    EngineOptions options;
    options.device = Device::Cuda;
    options.precision = precision;
    const CaseReport report = runPipelineCaseWith(testCase, options);
    std::printf("%s txt2img_tiny cuda %s  worst %.3g of tolerance (max abs %.3g in %s)%s%s\n",
                report.passed ? "PASS" : "FAIL", label, report.worstRatio, report.worstAbsError,
                report.worstOutput.c_str(), report.detail.empty() ? "" : "  ", report.detail.c_str());
    if (precision == Precision::F32 && !report.passed) ++failures;
  }
  return failures == 0 ? 0 : 1;
}
