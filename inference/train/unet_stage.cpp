// Stage "unet": the engine's UNet2DCondition and ClipTextEncoder learn, jointly, to predict the noise added to the
// (frozen) VAE's latents of toy scenes, conditioned on their captions. The latents come from a cache built once per
// run (latent_cache.h); cacheScenes 0 renders and encodes every batch afresh instead.
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cstdio>

#include "autoencoder_kl.h"
#include "checkpoint.h"
#include "lanterna/inference/safetensors.h"
#include "latent_cache.h"
#include "noise_schedule.h"
#include "parameter_layout.h"
#include "toy_model_configs.h"
#include "toy_vocab.h"
#include "train_stage.h"

namespace lanterna::toy {
namespace {

// Classifier-free guidance needs an unconditional model: this share of captions becomes the empty prompt.
constexpr double kCaptionDropout = 0.1;
constexpr std::uint64_t kProbeSeed = 777;

class UNetStage final : public StageModel {
 public:
  UNetStage(const StageInputs& inputs, inference::AutoencoderKL vae, std::optional<LatentCache> cache)
      : vae_(std::move(vae)),
        cache_(std::move(cache)),
        textConfig_(inference::ClipTextConfig::fromJson(toyTextEncoderConfig(toyVocabularySize()))),
        unetConfig_(inference::UNetConfig::fromJson(toyUNetConfig())),
        singleShapeSteps_(inputs.singleShapeSteps),
        minSnrGamma_(inputs.minSnrGamma) {
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

  // The encoder stays as the text stage left it: the UNet learns to read features that already name each shape.
  void freezeTextEncoder() {
    for (auto& [name, tensor] : parameters_)
      if (name.rfind("text_encoder.", 0) == 0) tensor.requires_grad_(false);
    textFrozen_ = true;
  }

  // A frozen encoder needs no graph: its backward would be wasted work.
  at::Tensor encodeCaptions(const at::Tensor& ids) const {
    c10::AutoGradMode gradients(!textFrozen_ && c10::GradMode::is_enabled());
    return text_->encode(ids);
  }

  ToyBatch batch(const ToyDataset& data, std::int64_t step, std::int64_t batchSize) override {
    if (!cache_) return data.imageBatch(step, batchSize);
    const at::Tensor rows = cache_->draw(batchSize, step < singleShapeSteps_);
    ToyBatch batch;
    batch.images = cache_->latents.index_select(0, rows.to(cache_->latents.device()));  // already latents, scaled
    batch.tokenIds = cache_->tokenIds.index_select(0, rows);
    return batch;
  }

  at::Tensor loss(const ToyBatch& batch) override {
    const at::Device device = unet_->device();
    const std::int64_t size = batch.images.size(0);
    // 1. Latents: from the cache, or of the frozen VAE, sampled from its distribution as SD's training does.
    at::Tensor latents;
    if (cache_) {
      latents = batch.images.to(device);
    } else {
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
    const at::Tensor noisy = inference::noiseToTimesteps(alphasCumprod_, latents, noise, t);
    const at::Tensor context = encodeCaptions(ids);
    return noisePredictionLoss(unet_->forward(noisy, t, context), noise, alphasCumprod_, t, minSnrGamma_);
  }

  // Whether the model reads its captions: the noise-prediction error on fixed cached scenes at mid-to-high noise
  // (where layout and colour are decided), with their own captions and with each scene given its neighbour's.
  // A ratio near 1 means the caption is ignored; it grows as the words bind to what they name.
  std::string diagnostics() override {
    if (!cache_ || cache_->size() < 2) return {};
    c10::NoGradGuard noGrad;
    const std::int64_t n = std::min<std::int64_t>(64, cache_->size());
    const at::Device device = unet_->device();
    at::manual_seed(kProbeSeed);
    const at::Tensor latents = cache_->latents.slice(0, 0, n).to(device);
    const at::Tensor t = at::linspace(300, 900, n).to(at::kLong).to(device);
    const at::Tensor noise = at::randn_like(latents);
    const at::Tensor noisy = inference::noiseToTimesteps(alphasCumprod_, latents, noise, t);
    const at::Tensor ids = cache_->tokenIds.slice(0, 0, n);
    const auto error = [&](const at::Tensor& captions) {
      return (unet_->forward(noisy, t, text_->encode(captions.to(device))) - noise).pow(2).mean().item<double>();
    };
    const double own = error(ids), neighbours = error(at::roll(ids, 1, 0));
    char text[64];
    std::snprintf(text, sizeof text, "caption gain %.3f", neighbours / own);
    return text;
  }

 private:
  inference::AutoencoderKL vae_;
  std::optional<LatentCache> cache_;
  inference::ClipTextConfig textConfig_;
  inference::UNetConfig unetConfig_;
  std::int64_t singleShapeSteps_ = 0;
  double minSnrGamma_ = 0;
  NamedTensors parameters_;
  std::optional<inference::ClipTextEncoder> text_;
  std::optional<inference::UNet2DCondition> unet_;
  at::Tensor emptyIds_, alphasCumprod_;
  double latentScale_ = 1.0;
  bool textFrozen_ = false;
};

std::filesystem::path modelTextEncoderFile(const std::filesystem::path& modelDir) {
  return modelDir / "text_encoder" / "model.safetensors";
}

// The encoder `--text-encoder` names: a model folder's (to continue a shipped model with its encoder frozen, as the
// text stage left it), else a text run's latest checkpoint.
Status copyTextEncoder(const std::filesystem::path& from, const NamedTensors& parameters) {
  std::error_code error;
  if (std::filesystem::exists(modelTextEncoderFile(from), error))
    return copyWeights(modelTextEncoderFile(from), "text_encoder.", parameters);
  auto dir = latestCheckpoint(from);
  if (!dir) return dir.error();
  return copyWeights(*dir / kModelFile, "text_encoder.", parameters, StoredNames::WithPrefix);
}

// The run's cache, built on first use; a cache of another size, clip share or seed is rebuilt.
Result<LatentCache> runCache(const StageInputs& inputs, const inference::AutoencoderKL& vae) {
  const auto file = inputs.outDir / kLatentCacheFile;
  std::error_code error;
  if (std::filesystem::exists(file, error)) {
    auto cache = loadLatentCache(file, vae.config().scalingFactor);
    if (cache && cache->size() == inputs.cacheScenes + inputs.cacheClips && cache->clips == inputs.cacheClips &&
        cache->seed == inputs.seed && (cache->clips == 0 || cache->clipFrames == kClipFramesFirst))
      return cache;
  }
  LatentCacheOptions options;
  options.seed = inputs.seed;
  options.scenes = inputs.cacheScenes;
  options.clips = inputs.cacheClips;
  if (Status built = buildLatentCache(vae, inputs.tokenize, options, file, inputs.log); !built) return built.error();
  return loadLatentCache(file, vae.config().scalingFactor);
}

}  // namespace

Result<std::unique_ptr<StageModel>> makeUNetStage(const StageInputs& inputs) {
  if (inputs.vaeRun.empty())
    return makeError(ErrorKind::InvalidArgument, "The unet stage needs the vae stage's folder (--vae DIR).");
  if (!inputs.tokenize)
    return makeError(ErrorKind::InvalidArgument, "The unet stage needs a tokenizer for the captions.");
  auto vae = loadTrainedVae(inputs.vaeRun, inputs.device);
  if (!vae) return vae.error();

  std::optional<LatentCache> cache;
  if (inputs.cacheScenes > 0) {
    auto made = runCache(inputs, *vae);
    if (!made) return made.error();
    cache = std::move(*made);
    cache->latents = cache->latents.to(inputs.device);
  }
  auto stage = std::make_unique<UNetStage>(inputs, std::move(*vae), std::move(cache));
  const NamedTensors parameters = stage->namedParameters();
  if (!inputs.initFrom.empty()) {
    const auto unetFile = inputs.initFrom / "unet" / kDiffusersWeights;
    if (Status s = copyWeights(unetFile, "unet.", parameters); !s) return s.error();
  }
  // The encoder: --text-encoder's, frozen, when one is named (read once, even when it is the init model); else the
  // init model's, trained on.
  if (!inputs.textEncoderRun.empty()) {
    if (Status s = copyTextEncoder(inputs.textEncoderRun, parameters); !s) return s.error();
    stage->freezeTextEncoder();
  } else if (!inputs.initFrom.empty()) {
    if (Status s = copyWeights(modelTextEncoderFile(inputs.initFrom), "text_encoder.", parameters); !s)
      return s.error();
  }
  return std::unique_ptr<StageModel>(std::move(stage));
}

}  // namespace lanterna::toy
