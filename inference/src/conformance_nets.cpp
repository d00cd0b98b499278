// Conformance runners for groups C (UNet2DConditionModel), D (AutoencoderKL), G (single-file checkpoint) and
// J (AutoencoderTiny). Each loads its weights through the same code users' models go through.
#include "conformance_nets.h"

#include <fstream>

#include <c10/core/InferenceMode.h>

#include "autoencoder_kl.h"
#include "autoencoder_tiny.h"
#include "sd_loader.h"
#include "unet2d_condition.h"

namespace lanterna::inference {
namespace {

Weights loadWeights(const ConformanceCase& testCase) {
  const auto files = testCase.weightFiles();
  if (files.empty()) throw WeightsError("case \"" + testCase.name + "\" names no weights file");
  auto file = SafetensorsFile::open(files.front());
  if (!file) throw WeightsError(file.error().message);
  return Weights::load(*file);
}

void checkUNet(CaseChecker& checker, const UNet2DCondition& unet, const CaseTensors& io) {
  at::Tensor out = unet.forward(io.input("sample"), io.input("timestep"), io.input("encoder_hidden_states"));
  checker.compare("sample", out, io.expected("sample"));
}

void checkVae(CaseChecker& checker, const AutoencoderKL& vae, const CaseTensors& io) {
  if (io.hasInput("image")) {
    LatentDistribution dist = vae.encode(io.input("image"));
    checker.compare("mean", dist.mean, io.expected("mean"));
    checker.compare("logvar", dist.logvar, io.expected("logvar"));
    if (io.hasExpected("std")) checker.compare("std", dist.std(), io.expected("std"));
    if (io.hasExpected("moments")) checker.compare("moments", dist.moments, io.expected("moments"));
  } else {
    checker.compare("sample", vae.decode(io.input("latent")), io.expected("sample"));
  }
}

ConformanceCase findCase(const ConformanceCase& like, const std::string& name, const nlohmann::json& manifest) {
  for (const auto& entry : manifest.at("cases"))
    if (entry.value("name", "") == name) {
      ConformanceCase other = like;
      other.name = name;
      other.entry = entry;
      return other;
    }
  throw WeightsError("manifest has no case \"" + name + "\" to compare the single file against");
}

// Every tensor of the reference file must come out of the conversion under the same name, bit for bit.
void compareWeights(CaseChecker& checker, const std::string& label, const Weights& converted,
                    const std::filesystem::path& referencePath) {
  auto file = SafetensorsFile::open(referencePath);
  if (!file) throw WeightsError(file.error().message);
  const Weights reference = Weights::load(*file);
  size_t matched = 0;
  for (const auto& [name, tensor] : reference.all()) {
    if (!converted.has(name)) {
      checker.fail(label + ": converted weights lack \"" + name + "\"");
      continue;
    }
    checker.compare(label + "." + name, converted.get(name), tensor);
    ++matched;
  }
  if (converted.all().size() != reference.all().size())
    checker.fail(label + ": " + std::to_string(converted.all().size()) + " converted tensors, reference has " +
                 std::to_string(reference.all().size()));
}

// Runs a sibling case's inputs through a network built from the single file and folds its report into `checker`.
template <class Check>
void checkSibling(CaseChecker& checker, const ConformanceCase& sibling, Check check) {
  CaseChecker siblingChecker(sibling);
  check(siblingChecker, CaseTensors(sibling));
  const CaseReport report = siblingChecker.report();
  if (!report.passed) checker.fail(sibling.name + ": " + report.detail);
}

}  // namespace

CaseReport runSingleFileCase(const ConformanceCase& testCase) {
  c10::InferenceMode guard;
  CaseChecker checker(testCase);
  const auto files = testCase.weightFiles();
  if (files.empty()) throw WeightsError("case \"" + testCase.name + "\" names no weights file");
  LoadOptions options;
  options.overrides = {{"unet", testCase.config().at("unet")},
                       {"vae", testCase.config().at("vae")},
                       {"text_encoder", testCase.config().at("text_encoder")}};
  auto model = loadStableDiffusion(files.front(), options);
  if (!model) throw WeightsError(model.error().message);

  std::ifstream in(testCase.folder / "manifest.json");
  const nlohmann::json manifest = nlohmann::json::parse(in);
  // 1. The text encoder is handed over as weights: compare them with the standalone CLIP file.
  compareWeights(checker, "text_encoder", model->textEncoder, testCase.folder / "clip_text.weights.safetensors");
  // 2. The networks built from the single file reproduce the standalone cases, within their tolerances, and
  //    bit-exactly what the same networks built from the standalone weight files compute.
  for (const char* name : {"unet_sd15_t_scalar", "unet_sd15_t_batch"}) {
    const ConformanceCase sibling = findCase(testCase, name, manifest);
    const auto standalone = UNet2DCondition::load(UNetConfig::fromJson(sibling.config()), loadWeights(sibling));
    checkSibling(checker, sibling, [&](CaseChecker& c, const CaseTensors& io) {
      checkUNet(c, *model->unet, io);
      const at::Tensor args[] = {io.input("sample"), io.input("timestep"), io.input("encoder_hidden_states")};
      checker.compare(std::string(name) + ".sample", model->unet->forward(args[0], args[1], args[2]),
                      standalone.forward(args[0], args[1], args[2]));
    });
  }
  for (const char* name : {"vae_encode", "vae_decode"}) {
    const ConformanceCase sibling = findCase(testCase, name, manifest);
    const auto standalone = AutoencoderKL::load(VaeConfig::fromJson(sibling.config()), loadWeights(sibling));
    checkSibling(checker, sibling, [&](CaseChecker& c, const CaseTensors& io) {
      checkVae(c, *model->vae, io);
      if (io.hasInput("image"))
        checker.compare(std::string(name) + ".moments", model->vae->encode(io.input("image")).moments,
                        standalone.encode(io.input("image")).moments);
      else
        checker.compare(std::string(name) + ".sample", model->vae->decode(io.input("latent")),
                        standalone.decode(io.input("latent")));
    });
  }
  return checker.report();
}

CaseReport runUNetCase(const ConformanceCase& testCase) {
  c10::InferenceMode guard;
  CaseChecker checker(testCase);
  const auto unet = UNet2DCondition::load(UNetConfig::fromJson(testCase.config()), loadWeights(testCase));
  checkUNet(checker, unet, CaseTensors(testCase));
  return checker.report();
}

CaseReport runVaeCase(const ConformanceCase& testCase) {
  c10::InferenceMode guard;
  CaseChecker checker(testCase);
  const auto vae = AutoencoderKL::load(VaeConfig::fromJson(testCase.config()), loadWeights(testCase));
  checkVae(checker, vae, CaseTensors(testCase));
  return checker.report();
}

CaseReport runTinyVaeCase(const ConformanceCase& testCase) {
  c10::InferenceMode guard;
  CaseChecker checker(testCase);
  const auto vae = AutoencoderTiny::load(TinyVaeConfig::fromJson(testCase.config()), loadWeights(testCase));
  CaseTensors io(testCase);
  if (io.hasInput("image"))
    checker.compare("latents", vae.encode(io.input("image")), io.expected("latents"));
  else
    checker.compare("sample", vae.decode(io.input("latent")), io.expected("sample"));
  return checker.report();
}

}  // namespace lanterna::inference
