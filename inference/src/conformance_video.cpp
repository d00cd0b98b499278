// Conformance runners for group H (AnimateDiff UNetMotionModel) and the network cases of group I (SVD UNet,
// temporal VAE, CLIP vision). Weights go through the same loaders users' models do (video_loader.h, sd_loader.h).
#include <c10/core/InferenceMode.h>

#include "conformance_case.h"
#include "video_loader.h"

namespace lanterna::inference {
namespace {

std::filesystem::path onlyWeights(const ConformanceCase& testCase) {
  const auto files = testCase.weightFiles();
  if (files.size() != 1) throw WeightsError("case \"" + testCase.name + "\" should name exactly one weights file");
  return files.front();
}

}  // namespace

CaseReport runMotionUNetCase(const ConformanceCase& testCase) {
  c10::InferenceMode guard;
  CaseChecker checker(testCase);
  const auto files = testCase.weightFiles();
  if (files.size() != 2) throw WeightsError("case \"" + testCase.name + "\" should name a UNet and a motion adapter");
  const nlohmann::json& config = testCase.config();

  // 1. Spatial UNet from its diffusers weights; 2. the adapter through the user-facing loader (bare file: the
  //    manifest supplies what tensors cannot tell, the head and group counts).
  auto unetFile = SafetensorsFile::open(files[0]);
  if (!unetFile) throw WeightsError(unetFile.error().message);
  UNet2DCondition spatial = UNet2DCondition::load(UNetConfig::fromJson(config.at("unet")), Weights::load(*unetFile));
  LoadOptions options;
  options.overrides = {{"motion_adapter", config.at("motion_adapter")}};
  auto adapter = loadMotionAdapter(files[1], options);
  if (!adapter) throw WeightsError(adapter.error().message);
  const UNetMotion unet = UNetMotion::load(std::move(spatial), adapter->config, adapter->weights);

  CaseTensors io(testCase);
  at::Tensor out = unet.forward(io.input("sample"), io.input("timestep"), io.input("encoder_hidden_states"));
  checker.compare("sample", out, io.expected("sample"));
  return checker.report();
}

CaseReport runSvdNetCase(const ConformanceCase& testCase) {
  c10::InferenceMode guard;
  CaseChecker checker(testCase);
  CaseTensors io(testCase);
  const nlohmann::json& config = testCase.config();
  const std::string type = config.value("_class_name", config.value("model_type", ""));
  if (type == "UNetSpatioTemporalConditionModel") {
    const SvdUNet unet = loadSvdUNet(onlyWeights(testCase), config, {});
    checker.compare("sample", unet.forward(io.input("sample"), io.input("timestep"), io.input("encoder_hidden_states"),
                                           io.input("added_time_ids")),
                    io.expected("sample"));
  } else if (type == "AutoencoderKLTemporalDecoder") {
    const SvdVae vae = loadSvdVae(onlyWeights(testCase), config, {});
    if (io.hasInput("image")) {
      LatentDistribution dist = vae.encode(io.input("image"));
      checker.compare("mean", dist.mean, io.expected("mean"));
      checker.compare("logvar", dist.logvar, io.expected("logvar"));
    } else {
      const at::Tensor latent = io.input("latent");
      const int64_t frames = testCase.entry.value("num_frames", latent.size(0));
      checker.compare("sample", vae.decode(latent, frames), io.expected("sample"));
    }
  } else if (type == "clip_vision_model") {
    const ClipVisionEncoder encoder = loadClipVision(onlyWeights(testCase), config, {});
    ClipVisionOutput out = encoder.forward(io.input("pixel_values"));
    checker.compare("last_hidden_state", out.lastHiddenState, io.expected("last_hidden_state"));
    checker.compare("pooler_output", out.pooled, io.expected("pooler_output"));
    checker.compare("image_embeds", out.imageEmbeds, io.expected("image_embeds"));
  } else {
    checker.fail("no SVD runner for component \"" + testCase.component + "\" (config type \"" + type + "\")");
  }
  return checker.report();
}

}  // namespace lanterna::inference
