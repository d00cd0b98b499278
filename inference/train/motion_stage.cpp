// Stage "motion": an AnimateDiff-style motion adapter (diffusers MotionAdapter layout) learns the toy world's motions
// on 8-16 frame clips, inside the engine's UNetMotion around the image UNet of an exported toyworld model.
// Fresh adapters start with every proj_out at zero, so step 0 predicts exactly what the image model predicts.
// With a UNet learning-rate share > 0 the image UNet trains too: temporal attention alone only sees each pixel's own
// history, and a frozen image UNet's features carry neither where a shape is relative to a pixel nor which way the
// caption says it goes, so a frozen-UNet adapter learns coherent but static clips. Still scenes are trained in the
// same steps so the UNet keeps drawing what the image pipeline asks of it. Training only the UNet's cross-attention
// keys and values is the cheap middle way: they decide what the caption's motion words add to each pixel.
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cstdio>

#include "checkpoint.h"
#include "noise_schedule.h"
#include "parameter_layout.h"
#include "sd_loader.h"
#include "toy_model_configs.h"
#include "train_stage.h"
#include "unet_motion.h"

namespace lanterna::toy {
namespace {

constexpr double kCaptionDropout = 0.1;
// Each step's clips have 8 to 16 frames, as the world's and the studio's do: temporal attention trained on one
// length alone breaks clips of another (trained on 8, 16-frame clips came out incoherent).
constexpr std::int64_t kMinClipFrames = 8, kMaxClipFrames = 16;
constexpr std::int64_t kStillsPerClip = 2;  // a clip of 8-16 frames weighs about as much as 2 stills
// The direction probe: fixed training clips, scored with their own captions and with the motion reversed.
constexpr std::int64_t kProbeFirstClip = 1'000'000;  // a multiple of kProbeClips
constexpr std::uint64_t kProbeSeed = 777;
// The probe's clips come from one world whatever the run's seed, so the gains of runs with other seeds compare.
constexpr std::uint64_t kProbeWorldSeed = 0;
constexpr std::int64_t kProbeClips = 8, kProbeFrames = 12;

// "moving left" <-> "moving right", "up" <-> "down", "growing" <-> "shrinking": the caption of the reverse motion.
std::string reversedMotion(std::string caption) {
  static const std::pair<const char*, const char*> kOpposites[] = {
      {"moving left", "moving right"}, {"moving up", "moving down"}, {"growing", "shrinking"}};
  for (const auto& [a, b] : kOpposites)
    for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}})
      if (const auto at = caption.find(from); at != std::string::npos)
        return caption.replace(at, std::string(from).size(), to);
  return caption;
}

bool isCrossAttentionKeyOrValue(const std::string& name) {
  return name.find("attn2.to_k.") != std::string::npos || name.find("attn2.to_v.") != std::string::npos;
}

class MotionStage final : public StageModel {
 public:
  // adapterParameters: the adapter's tensors to train (motionAdapterLayout, fresh or continued);
  // unetParameters: the image UNet's weights as tensors to train (kMotionRunUnetPrefix), or none for a frozen UNet.
  MotionStage(const StageInputs& inputs, inference::LoadedModel image, NamedTensors adapterParameters,
              const NamedTensors& unetParameters)
      : vae_(std::move(*image.vae)),
        text_(inference::ClipTextConfig::fromJson(image.textEncoderConfig), image.textEncoder),
        config_(inference::MotionAdapterConfig::fromJson(toyMotionAdapterConfig())),
        options_(inputs.motion),
        minSnrGamma_(inputs.minSnrGamma),
        parameters_(std::move(adapterParameters)) {
    config_.firstFrameAttention = options_.firstFrameAttention;
    inference::Weights adapter = weightsFrom(parameters_, "");
    for (const auto& [name, table] : motionPositionTables(config_)) adapter.set(name, table.to(inputs.device));
    if (!unetParameters.empty()) {
      parameters_.insert(parameters_.end(), unetParameters.begin(), unetParameters.end());
      const auto unetConfig = inference::UNetConfig::fromJson(toyUNetConfig());
      image.unet.emplace(inference::UNet2DCondition::load(unetConfig, weightsFrom(parameters_, kMotionRunUnetPrefix)));
    }
    unet_.emplace(inference::UNetMotion::load(std::move(*image.unet), config_, adapter));
    emptyIds_ = at::tensor(inputs.tokenize(""), at::kLong).unsqueeze(0);
    alphasCumprod_ = inference::trainAlphasCumprod(inference::SchedulerConfig::fromJson(toySchedulerConfig()))
                         .to(inputs.device);
    makeProbe(inputs);
  }

  bool trainsUnet() const { return options_.unetLearningRateScale > 0; }

  NamedTensors namedParameters() override { return parameters_; }

  double learningRateScale(const std::string& name) const override {
    return name.rfind(kMotionRunUnetPrefix, 0) == 0 ? options_.unetLearningRateScale : 1.0;
  }

  ToyBatch batch(const ToyDataset& data, std::int64_t step, std::int64_t batchSize) override {
    const std::int64_t frames = kMinClipFrames + step % (kMaxClipFrames - kMinClipFrames + 1);
    const std::int64_t pool = options_.clipPool;
    const std::int64_t group = pool > 0 ? step % std::max<std::int64_t>(1, pool / batchSize) : step;
    ToyBatch batch = data.clipBatch(group, batchSize, frames, options_.pairedMotions);
    if (trainsUnet()) {
      ToyBatch stills = data.imageBatch(step, batchSize * kStillsPerClip);
      batch.stillImages = std::move(stills.images);
      batch.stillTokenIds = std::move(stills.tokenIds);
      if (options_.firstFrameStills) {
        batch.stillImages = at::cat({batch.stillImages, batch.images.select(1, 0)});
        batch.stillTokenIds = at::cat({batch.stillTokenIds, batch.tokenIds});
      }
    }
    return batch;
  }

  at::Tensor loss(const ToyBatch& batch) override {
    const at::Tensor latents = encodeClips(batch.images);
    const at::Tensor t = randomTimesteps(latents.size(0));
    const at::Tensor noise = at::randn_like(latents);
    const at::Tensor given = at::rand({latents.size(0)}).lt(options_.givenFirstFrameShare).to(latents.device());
    const Noised noised = noiseClips(latents, noise, t, given);
    const at::Tensor predicted = unet_->forward(noised.latents, noised.timesteps, encodeCaptions(batch.tokenIds));
    at::Tensor weights = noised.scored;
    if (const at::Tensor moving = motionWeights(latents); moving.defined()) weights = weights * moving;
    if (options_.highNoiseWeight > 1)
      weights = weights * highNoiseClipWeights(alphasCumprod_, t, options_.highNoiseWeight).view({-1, 1, 1, 1, 1});
    const at::Tensor loss = noisePredictionLoss(predicted, noise, alphasCumprod_, t, minSnrGamma_, weights);
    if (!batch.stillImages.defined()) return loss;
    const at::Tensor stills = encode(batch.stillImages);
    const at::Tensor stillT = randomTimesteps(stills.size(0));
    const at::Tensor stillNoise = at::randn_like(stills);
    const at::Tensor noisyStills = inference::noiseToTimesteps(alphasCumprod_, stills, stillNoise, stillT);
    const at::Tensor stillPredicted =
        unet_->spatial().forward(noisyStills, stillT, encodeCaptions(batch.stillTokenIds));
    return loss + noisePredictionLoss(stillPredicted, stillNoise, alphasCumprod_, stillT, minSnrGamma_);
  }

  // Whether the clips' motion follows the caption: the noise-prediction error on fixed clips at mid-to-high noise
  // with the caption of the reverse motion, over that with their own. Near 1, the model ignores which way things go.
  // The clean-clip gain is the same ratio for the clean clips those predictions imply (each clip's error / SNR),
  // which the high-noise clips dominate, where the caption, not the noisy frames, has to say where a shape goes.
  std::string diagnostics() override {
    c10::NoGradGuard noGrad;
    at::manual_seed(kProbeSeed);
    const at::Tensor t = at::linspace(300, 900, kProbeClips).to(at::kLong).to(probeLatents_.device());
    const at::Tensor noise = at::randn_like(probeLatents_);
    // With first frames given in training, the probe gives them too, clean as inference does: the motion from a
    // known start.
    const at::Tensor given = at::full({kProbeClips}, options_.givenFirstFrameShare > 0, at::kBool).to(t.device());
    const Noised noised = noiseClips(probeLatents_, noise, t, given, GivenFrames::Clean);
    const at::Tensor inverseSnr = 1.0 / signalToNoise(alphasCumprod_).index_select(0, t);
    const auto perClipError = [&](const at::Tensor& ids) {
      const at::Tensor predicted = unet_->forward(noised.latents, noised.timesteps, text_.encode(ids.to(t.device())));
      return ((predicted - noise).pow(2) * noised.scored).mean({1, 2, 3, 4});
    };
    const at::Tensor own = perClipError(probeIds_), reversed = perClipError(probeReversedIds_);
    const double gain = (reversed.sum() / own.sum()).item<double>();
    const double cleanGain = ((reversed * inverseSnr).sum() / (own * inverseSnr).sum()).item<double>();
    char text[96];
    std::snprintf(text, sizeof text, "direction gain %.4f (clean clip %.4f)", gain, cleanGain);
    return text;
  }

 private:
  at::Tensor encode(const at::Tensor& images) const {
    c10::NoGradGuard noGrad;
    return vae_.encode(images.to(alphasCumprod_.device())).mean * vae_.config().scalingFactor;
  }

  // Clips [B, F, 3, H, W] -> latents [B, C, F, h, w], UNetMotion's layout.
  at::Tensor encodeClips(const at::Tensor& clips) const {
    const at::Tensor latents = encode(clips.flatten(0, 1));
    return latents.view({clips.size(0), clips.size(1), latents.size(1), latents.size(2), latents.size(3)})
        .permute({0, 2, 1, 3, 4});
  }

  // Clips noised to t [B], except that the clips flagged in `given` [B] have their first frame clean at timestep 0,
  // as image-to-video feeds it to adapters that declare it, or with first-frame noise, noised to a timestep drawn
  // from 0..T. `scored` [B, 1, F, 1, 1] is 0 on those frames, which are conditions, not targets, and mean 1 per clip.
  struct Noised {
    at::Tensor latents, timesteps, scored;
  };
  enum class GivenFrames { AsTrained, Clean };
  Noised noiseClips(const at::Tensor& latents, const at::Tensor& noise, const at::Tensor& t, const at::Tensor& given,
                    GivenFrames how = GivenFrames::AsTrained) const {
    const std::int64_t clips = latents.size(0), frames = latents.size(2);
    const at::Tensor firstFrame = at::arange(frames, t.options()).eq(0).view({1, frames});
    const at::Tensor clean = given.view({clips, 1}).logical_and(firstFrame);  // [B, F]
    const at::Tensor perFrameT = t.view({clips, 1}).expand({clips, frames});
    Noised noised;
    const auto [givenLatents, givenT] = givenFirstFrames(latents, how);
    noised.timesteps = at::where(clean, givenT.view({clips, 1}), perFrameT);
    noised.latents = at::where(clean.view({clips, 1, frames, 1, 1}), givenLatents,
                               inference::noiseToTimesteps(alphasCumprod_, latents, noise, t));
    const at::Tensor scored = clean.logical_not().to(latents.scalar_type()).view({clips, 1, frames, 1, 1});
    noised.scored = scored / scored.mean(2, true);
    return noised;
  }

  // The clips' first frames as given to the UNet [B, C, 1, h, w] and their timesteps [B]: clean at timestep 0, or
  // with first-frame noise, noised to a timestep drawn from 0..T (fresh noise: these frames are not scored).
  std::pair<at::Tensor, at::Tensor> givenFirstFrames(const at::Tensor& latents, GivenFrames how) const {
    const at::Tensor first = latents.narrow(2, 0, 1);
    const std::int64_t clips = latents.size(0);
    const auto timestepOptions = at::TensorOptions(at::kLong);
    if (options_.firstFrameNoise <= 0 || how == GivenFrames::Clean)
      return {first * alphasCumprod_[0].sqrt(), at::zeros({clips}, timestepOptions.device(first.device()))};
    const at::Tensor t = at::randint(0, options_.firstFrameNoise + 1, {clips}, timestepOptions).to(first.device());
    return {inference::noiseToTimesteps(alphasCumprod_, first, at::randn_like(first), t), t};
  }

  // Per latent pixel and frame [B, 1, F, h, w], mean 1 per clip: 1 + K x the pixel's distance from its mean over the
  // clip, relative to the clip's average distance. Undefined (unweighted) when K is 0.
  at::Tensor motionWeights(const at::Tensor& latents) const {
    if (options_.motionWeight <= 0) return {};
    const at::Tensor change = (latents - latents.mean(2, true)).abs().mean(1, true);
    const at::Tensor weights = 1 + options_.motionWeight * change / change.mean({2, 3, 4}, true).clamp_min(1e-6);
    return weights / weights.mean({2, 3, 4}, true);
  }

  at::Tensor encodeCaptions(const at::Tensor& tokenIds) const {
    c10::NoGradGuard noGrad;
    const std::int64_t size = tokenIds.size(0);
    const at::Tensor drop = (at::rand({size, 1}) < kCaptionDropout);
    const at::Tensor ids = at::where(drop, emptyIds_.expand({size, emptyIds_.size(1)}), tokenIds);
    return text_.encode(ids.to(alphasCumprod_.device()));
  }

  at::Tensor randomTimesteps(std::int64_t size) const {
    return at::randint(0, alphasCumprod_.size(0), {size}, at::TensorOptions(at::kLong)).to(alphasCumprod_.device());
  }

  // The probe clips are an ordinary clip batch: indices kProbeFirstClip.. of the training split.
  void makeProbe(const StageInputs& inputs) {
    const ToyDataset data(kProbeWorldSeed, Split::Train, inputs.tokenize);
    const ToyBatch probe = data.clipBatch(kProbeFirstClip / kProbeClips, kProbeClips, kProbeFrames);
    probeLatents_ = encodeClips(probe.images).contiguous();
    probeIds_ = probe.tokenIds;
    std::vector<at::Tensor> reversed;
    for (const std::string& caption : probe.captions)
      reversed.push_back(at::tensor(inputs.tokenize(reversedMotion(caption)), at::kLong));
    probeReversedIds_ = at::stack(reversed);
  }

  inference::AutoencoderKL vae_;
  inference::ClipTextEncoder text_;
  inference::MotionAdapterConfig config_;
  MotionStageOptions options_;
  double minSnrGamma_ = 0;
  NamedTensors parameters_;
  std::optional<inference::UNetMotion> unet_;
  at::Tensor emptyIds_, alphasCumprod_;
  at::Tensor probeLatents_, probeIds_, probeReversedIds_;
};

}  // namespace

Result<std::unique_ptr<StageModel>> makeMotionStage(const StageInputs& inputs) {
  if (inputs.initFrom.empty())
    return makeError(ErrorKind::InvalidArgument,
                     "The motion stage needs the exported image model it animates (--init-from MODEL_DIR).");
  if (!inputs.tokenize)
    return makeError(ErrorKind::InvalidArgument, "The motion stage needs a tokenizer for the captions.");
  inference::LoadOptions options;
  options.device = inputs.device;
  auto image = inference::loadStableDiffusion(inputs.initFrom, options);
  if (!image) return image.error();
  if (!image->unet || !image->vae)
    return makeError(ErrorKind::FormatIncorrect, "\"" + inputs.initFrom.string() + "\" has no unet or vae.",
                     inputs.initFrom);
  // Without a UNet share the image model stays frozen and only the adapter's tensors are trained.
  NamedTensors unetParameters;
  if (inputs.motion.unetLearningRateScale > 0) {
    const auto unetConfig = inference::UNetConfig::fromJson(toyUNetConfig());
    unetParameters = initParameters(unetLayout(unetConfig), kMotionRunUnetPrefix, inputs.device);
    if (Status s = copyWeights(inputs.initFrom / "unet" / kDiffusersWeights, kMotionRunUnetPrefix, unetParameters); !s)
      return s.error();
    // Frozen only once filled: the UNet packs the weights it will not train for inference as it loads them.
    if (inputs.motion.unetCrossAttentionOnly)
      for (auto& [name, tensor] : unetParameters)
        if (!isCrossAttentionKeyOrValue(name)) tensor.requires_grad_(false);
  }
  const auto adapterConfig = inference::MotionAdapterConfig::fromJson(toyMotionAdapterConfig());
  NamedTensors adapterParameters = initParameters(motionAdapterLayout(adapterConfig), "", inputs.device);
  zeroMotionProjOut(adapterParameters);
  if (inputs.motion.continueAdapter) {
    const auto adapterFile = inputs.initFrom / "motion_adapter" / kDiffusersWeights;
    if (Status s = copyWeights(adapterFile, "", adapterParameters); !s) return s.error();
  }
  auto stage = std::make_unique<MotionStage>(inputs, std::move(*image), std::move(adapterParameters), unetParameters);
  return std::unique_ptr<StageModel>(std::move(stage));
}

}  // namespace lanterna::toy
