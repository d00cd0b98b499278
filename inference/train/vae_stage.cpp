// Stage "vae": the engine's AutoencoderKL learns to reconstruct toy scenes through a sampled latent. Given a trained
// VAE (--vae), it continues that one with the encoder frozen: only the decoder learns, so the latent space, and every
// UNet trained on it, stays valid.
#include <c10/core/GradMode.h>
#include <algorithm>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "checkpoint.h"
#include "lanterna/inference/safetensors.h"
#include "parameter_layout.h"
#include "toy_model_configs.h"
#include "autoencoder_kl.h"
#include "train_stage.h"
#include "vae_check.h"

namespace lanterna::toy {
namespace {

// Small enough that reconstruction dominates, large enough to keep the latents near unit scale and smooth.
constexpr double kKlWeight = 1e-4;
// Scenes used to measure the latent scale: a fixed seed, so every stage and the export agree on it.
constexpr std::uint64_t kScaleSeed = 20240611;
constexpr std::int64_t kScaleImages = 64;
constexpr std::int64_t kTrainingCrop = 64;
constexpr std::int64_t kCropAlign = 8;
// Shapes cover a few percent of a scene: weighted like the background, their colours were the first thing lost
// (a factor-8 VAE kept 38% of shape colours with plain L1 + L2). Their pixels count this many times more.
constexpr double kShapeWeight = 10.0;
// A small shape's corners decide whether it reads as a square, a triangle or a circle, yet they are a few pixels
// each: the factor-8 VAE rounded them off until the detector saw circles in 26% of held-out round trips. Pixels within
// two of a shape's outline count this much more again.
constexpr double kEdgeWeight = 10.0;
constexpr std::int64_t kEdgeReach = 2;
constexpr int kProbeScenes = 32;

class VaeStage final : public StageModel {
 public:
  explicit VaeStage(at::Device device)
      : config_(inference::VaeConfig::fromJson(toyVaeConfig())),
        parameters_(initParameters(vaeLayout(config_), "", device)),
        vae_(inference::AutoencoderKL::load(config_, weightsFrom(parameters_, ""))) {}

  NamedTensors namedParameters() override { return parameters_; }

  // The encoder and its quant_conv stop learning; the latents they give are then fixed.
  void freezeEncoder() {
    for (auto& [name, tensor] : parameters_)
      if (name.rfind("encoder.", 0) == 0 || name.rfind("quant_conv.", 0) == 0) tensor.requires_grad_(false);
    encoderFrozen_ = true;
  }

  ToyBatch batch(const ToyDataset& data, std::int64_t step, std::int64_t batchSize) override {
    return data.imageBatch(step, batchSize);
  }

  at::Tensor loss(const ToyBatch& batch) override {
    // A random 64x64 window of each batch (aligned to the latent grid): the autoencoder is convolutional and the
    // scenes are flat shapes, so windows teach it as well as whole scenes do, at a quarter of the cost.
    const std::int64_t side = batch.images.size(-1);
    const std::int64_t crop = std::min<std::int64_t>(kTrainingCrop, side);
    const std::int64_t cells = (side - crop) / kCropAlign + 1;
    const std::int64_t y = at::randint(cells, {1}).item<std::int64_t>() * kCropAlign;
    const std::int64_t x = at::randint(cells, {1}).item<std::int64_t>() * kCropAlign;
    const at::Tensor images = batch.images.slice(2, y, y + crop).slice(3, x, x + crop).to(vae_.device());
    // A scene's corner pixel is always background (shapes sit well inside their cells).
    const at::Tensor background = batch.images.slice(2, 0, 1).slice(3, 0, 1).to(vae_.device());
    const at::Tensor shape = ((images - background).abs().amax(1, true) > 0.05).to(at::kFloat);
    const std::int64_t window = 2 * kEdgeReach + 1;
    const at::Tensor outline =
        at::max_pool2d(shape, window, 1, kEdgeReach) + at::max_pool2d(-shape, window, 1, kEdgeReach);
    const at::Tensor weight = 1.0 + (kShapeWeight - 1.0) * shape + kEdgeWeight * outline;
    const inference::LatentDistribution latent = encode(images);
    const at::Tensor sample = latent.mean + latent.std() * at::randn_like(latent.mean);
    const at::Tensor decoded = vae_.decode(sample);
    const at::Tensor difference = decoded - images;
    const at::Tensor reconstruction =
        (weight * (difference.abs() + difference.pow(2))).mean() / weight.mean();
    const at::Tensor kl = 0.5 * (latent.mean.pow(2) + latent.logvar.exp() - 1.0 - latent.logvar).mean();
    return reconstruction + kKlWeight * kl;
  }

  std::string diagnostics() override {
    c10::NoGradGuard noGrad;
    const auto check = measureToyVae(vae_, kProbeScenes);
    if (!check) return {};
    char text[96];
    std::snprintf(text, sizeof text, "PSNR %.2f dB  shape colours kept %d/%d", check->meanPsnr, check->coloursKept,
                  check->shapes);
    return text;
  }

  Status finish(const std::filesystem::path& outDir) override {
    const double scale = measureLatentScale(vae_);
    const auto path = outDir / kVaeConfigFile;
    std::ofstream out(path, std::ios::trunc);
    out << toyVaeConfig(scale).dump(2) << "\n";
    if (!out) return makeError(ErrorKind::NoWriteAccess, "Cannot write \"" + path.string() + "\".", path);
    return Ok{};
  }

 private:
  inference::LatentDistribution encode(const at::Tensor& images) const {
    c10::AutoGradMode gradients(!encoderFrozen_ && c10::GradMode::is_enabled());
    return vae_.encode(images);
  }

  inference::VaeConfig config_;
  NamedTensors parameters_;
  inference::AutoencoderKL vae_;
  bool encoderFrozen_ = false;
};

}  // namespace

double measureLatentScale(const inference::AutoencoderKL& vae) {
  c10::NoGradGuard noGrad;
  const ToyDataset scenes(kScaleSeed, Split::Train);
  const at::Tensor images = scenes.imageBatch(0, kScaleImages).images;
  std::vector<at::Tensor> means;
  for (std::int64_t i = 0; i < kScaleImages; i += 16) means.push_back(vae.encode(images.slice(0, i, i + 16)).mean);
  const double std = at::cat(means).to(at::kDouble).std().item<double>();
  return std > 0 ? 1.0 / std : 1.0;
}

Result<VaeFiles> findTrainedVae(const std::filesystem::path& run) {
  std::error_code error;
  if (std::filesystem::exists(run / kDiffusersWeights, error))
    return VaeFiles{run / kDiffusersWeights, run / "config.json"};
  auto dir = latestCheckpoint(run);
  if (!dir) return dir.error();
  if (!std::filesystem::exists(run / kVaeConfigFile, error))
    return makeError(ErrorKind::FileNotFound,
                     "\"" + (run / kVaeConfigFile).string() + "\" is missing: finish the vae stage in that folder first.",
                     run / kVaeConfigFile);
  return VaeFiles{*dir / "model.safetensors", run / kVaeConfigFile};
}

Result<inference::AutoencoderKL> loadTrainedVae(const std::filesystem::path& run, at::Device device) {
  auto files = findTrainedVae(run);
  if (!files) return files.error();
  std::ifstream in(files->config);
  const nlohmann::json config = nlohmann::json::parse(in, nullptr, false);
  if (!in || config.is_discarded())
    return makeError(ErrorKind::FormatIncorrect, "\"" + files->config.string() + "\" is missing or not valid JSON.",
                     files->config);
  auto file = inference::SafetensorsFile::open(files->weights);
  if (!file) return file.error();
  try {
    return inference::AutoencoderKL::load(inference::VaeConfig::fromJson(config),
                                          inference::Weights::load(*file, "", at::kFloat, device));
  } catch (const inference::WeightsError& e) {
    return makeError(ErrorKind::FormatIncorrect, e.what(), files->weights);
  }
}

Result<std::unique_ptr<StageModel>> makeVaeStage(const StageInputs& inputs) {
  auto stage = std::make_unique<VaeStage>(inputs.device);
  if (!inputs.vaeRun.empty()) {
    auto files = findTrainedVae(inputs.vaeRun);
    if (!files) return files.error();
    if (Status s = copyWeights(files->weights, "", stage->namedParameters()); !s) return s.error();
    stage->freezeEncoder();
  }
  return std::unique_ptr<StageModel>(std::move(stage));
}

}  // namespace lanterna::toy
