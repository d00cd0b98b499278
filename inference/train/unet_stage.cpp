// Stage "unet": the engine's UNet2DCondition and ClipTextEncoder learn, jointly, to predict the noise added to the
// (frozen) VAE's latents of toy scenes, conditioned on their captions.
#include <c10/core/GradMode.h>
#include <fstream>

#include <nlohmann/json.hpp>

#include "noise_schedule.h"
#include "parameter_layout.h"
#include "toy_model_configs.h"
#include "toy_vocab.h"
#include "autoencoder_kl.h"
#include "train_stage.h"

namespace lanterna::toy {
namespace {

// Classifier-free guidance needs an unconditional model: this share of captions becomes the empty prompt.
constexpr double kCaptionDropout = 0.1;

Result<inference::AutoencoderKL> loadTrainedVae(const std::filesystem::path& run, at::Device device) {
  auto dir = latestCheckpoint(run);
  if (!dir) return dir.error();
  const auto configPath = run / kVaeConfigFile;
  std::ifstream in(configPath);
  if (!in)
    return makeError(ErrorKind::FileNotFound,
                     "\"" + configPath.string() + "\" is missing: finish the vae stage in that folder first.",
                     configPath);
  const nlohmann::json config = nlohmann::json::parse(in, nullptr, false);
  if (config.is_discarded())
    return makeError(ErrorKind::FormatIncorrect, "\"" + configPath.string() + "\" is not valid JSON.", configPath);
  auto file = inference::SafetensorsFile::open(*dir / "model.safetensors");
  if (!file) return file.error();
  return inference::AutoencoderKL::load(inference::VaeConfig::fromJson(config),
                                        inference::Weights::load(*file, "", at::kFloat, device));
}

std::int64_t toyVocabularySize() {
  return static_cast<std::int64_t>(buildToyVocabulary(ToyWorld::captionWords()).tokens.size());
}

class UNetStage final : public StageModel {
 public:
  UNetStage(const StageInputs& inputs, inference::AutoencoderKL vae)
      : vae_(std::move(vae)),
        textConfig_(inference::ClipTextConfig::fromJson(toyTextEncoderConfig(toyVocabularySize()))),
        unetConfig_(inference::UNetConfig::fromJson(toyUNetConfig())) {
    parameters_ = initParameters(clipTextLayout(textConfig_), "text_encoder.", inputs.device);
    for (auto& p : initParameters(unetLayout(unetConfig_), "unet.", inputs.device)) parameters_.push_back(std::move(p));
    text_.emplace(textConfig_, weightsFrom(parameters_, "text_encoder."));
    unet_.emplace(inference::UNet2DCondition::load(unetConfig_, weightsFrom(parameters_, "unet.")));
    const std::vector<std::int64_t> empty = inputs.tokenize("");
    emptyIds_ = at::tensor(empty, at::kLong).unsqueeze(0);
    const auto schedule = inference::SchedulerConfig::fromJson(toySchedulerConfig());
    alphasCumprod_ = inference::trainAlphasCumprod(schedule).to(inputs.device);
    latentScale_ = vae_.config().scalingFactor;
  }

  NamedTensors namedParameters() override { return parameters_; }

  ToyBatch batch(const ToyDataset& data, std::int64_t step, std::int64_t batchSize) override {
    return data.imageBatch(step, batchSize);
  }

  at::Tensor loss(const ToyBatch& batch) override {
    const at::Device device = unet_->device();
    const std::int64_t size = batch.images.size(0);
    // 1. Latents of the frozen VAE, sampled from its distribution as SD's training does.
    at::Tensor latents;
    {
      c10::NoGradGuard noGrad;
      const auto dist = vae_.encode(batch.images.to(device));
      latents = (dist.mean + dist.std() * at::randn_like(dist.mean)) * latentScale_;
    }
    // 2. Captions, some dropped to the empty prompt.
    const at::Tensor drop = (at::rand({size, 1}) < kCaptionDropout);
    const at::Tensor ids = at::where(drop, emptyIds_.expand({size, emptyIds_.size(1)}), batch.tokenIds).to(device);
    // 3. Noise at a random train timestep, predicted back.
    const at::Tensor t = at::randint(0, alphasCumprod_.size(0), {size}, at::TensorOptions(at::kLong)).to(device);
    const at::Tensor noise = at::randn_like(latents);
    const at::Tensor alpha = alphasCumprod_.index_select(0, t).view({size, 1, 1, 1});
    const at::Tensor noisy = alpha.sqrt() * latents + (1.0 - alpha).sqrt() * noise;
    const at::Tensor context = text_->encode(ids);
    return at::mse_loss(unet_->forward(noisy, t, context), noise);
  }

 private:
  inference::AutoencoderKL vae_;
  inference::ClipTextConfig textConfig_;
  inference::UNetConfig unetConfig_;
  NamedTensors parameters_;
  std::optional<inference::ClipTextEncoder> text_;
  std::optional<inference::UNet2DCondition> unet_;
  at::Tensor emptyIds_, alphasCumprod_;
  double latentScale_ = 1.0;
};

}  // namespace

Result<std::unique_ptr<StageModel>> makeUNetStage(const StageInputs& inputs) {
  if (inputs.vaeRun.empty())
    return makeError(ErrorKind::InvalidArgument, "The unet stage needs the vae stage's folder (--vae DIR).");
  if (!inputs.tokenize)
    return makeError(ErrorKind::InvalidArgument, "The unet stage needs a tokenizer for the captions.");
  auto vae = loadTrainedVae(inputs.vaeRun, inputs.device);
  if (!vae) return vae.error();
  return std::unique_ptr<StageModel>(std::make_unique<UNetStage>(inputs, std::move(*vae)));
}

}  // namespace lanterna::toy
