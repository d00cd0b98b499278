// lanterna-gpu-check CONFORMANCE_DIR: runs the whole-pipeline conformance case (CLIP, UNet, VAE, scheduler) on the
// CUDA device in fp32 (must pass the manifest's tolerance) and fp16/bf16 (reports the error), and times steps.
// Built with the engine alone, so it runs on a GPU machine that has only pip's LibTorch.
#include <ATen/Context.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cstdio>
#include <vector>
#include <fstream>

#include "conformance_case.h"
#include "lanterna/inference/engine.h"
#include "unet2d_condition.h"
#include "weights.h"

#include <chrono>

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
  // Full-size SD1.5 UNet (random weights, real names and shapes): one CFG step (batch 2) at 512x512.
  c10::InferenceMode inferenceMode;
  for (auto [dtype, label] : {std::pair{at::kHalf, "fp16"}, std::pair{at::kFloat, "fp32"}}) {
    const at::Device cuda(at::kCUDA, 0);
    Weights weights = Weights::synthesizing(dtype, cuda, 7);
    UNet2DCondition unet = UNet2DCondition::load(UNetConfig{}, weights);
    const auto options = at::TensorOptions().dtype(dtype).device(cuda);
    at::Tensor latents = at::randn({2, 4, 64, 64}, options);
    at::Tensor context = at::randn({2, 77, 768}, options);
    at::Tensor t = at::scalar_tensor(500.0, at::TensorOptions().device(cuda));
    for (int i = 0; i < 3; ++i) unet.forward(latents, t, context).sum().item<float>();  // warm-up
    std::vector<double> times;
    for (int i = 0; i < 10; ++i) {
      const auto start = std::chrono::steady_clock::now();
      unet.forward(latents, t, context).sum().item<float>();
      times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    std::printf("SD1.5 UNet CFG step 512x512 %s on CUDA: median %.1f ms (min %.1f)\n", label, times[5], times[0]);
  }
  return failures == 0 ? 0 : 1;
}
