// Stage "motion": an AnimateDiff-style motion adapter (diffusers MotionAdapter layout) learns the toy world's motions
// on 8-frame clips, inside the engine's UNetMotion around the frozen image UNet of an exported toyworld model.
// Fresh adapters start with every proj_out at zero, so step 0 predicts exactly what the image model predicts.
#include <c10/core/GradMode.h>

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

class MotionStage final : public StageModel {
 public:
  MotionStage(const StageInputs& inputs, inference::LoadedModel image)
      : vae_(std::move(*image.vae)),
        text_(inference::ClipTextConfig::fromJson(image.textEncoderConfig), image.textEncoder),
        config_(inference::MotionAdapterConfig::fromJson(toyMotionAdapterConfig())) {
    parameters_ = initParameters(motionAdapterLayout(config_), "", inputs.device);
    zeroMotionProjOut(parameters_);
    inference::Weights adapter = weightsFrom(parameters_, "");
    for (const auto& [name, table] : motionPositionTables(config_)) adapter.set(name, table.to(inputs.device));
    unet_.emplace(inference::UNetMotion::load(std::move(*image.unet), config_, adapter));
    emptyIds_ = at::tensor(inputs.tokenize(""), at::kLong).unsqueeze(0);
    alphasCumprod_ = inference::trainAlphasCumprod(inference::SchedulerConfig::fromJson(toySchedulerConfig()))
                         .to(inputs.device);
  }

  NamedTensors namedParameters() override { return parameters_; }

  ToyBatch batch(const ToyDataset& data, std::int64_t step, std::int64_t batchSize) override {
    const std::int64_t frames = kMinClipFrames + step % (kMaxClipFrames - kMinClipFrames + 1);
    return data.clipBatch(step, batchSize, frames);
  }

  at::Tensor loss(const ToyBatch& batch) override {
    const at::Device device = alphasCumprod_.device();
    const std::int64_t size = batch.images.size(0), frames = batch.images.size(1);
    at::Tensor latents, context;
    {
      c10::NoGradGuard noGrad;
      const at::Tensor flat = batch.images.flatten(0, 1).to(device);
      latents = vae_.encode(flat).mean * vae_.config().scalingFactor;
      latents = latents.view({size, frames, latents.size(1), latents.size(2), latents.size(3)}).permute({0, 2, 1, 3, 4});
      const at::Tensor drop = (at::rand({size, 1}) < kCaptionDropout);
      const at::Tensor ids = at::where(drop, emptyIds_.expand({size, emptyIds_.size(1)}), batch.tokenIds);
      context = text_.encode(ids.to(device));
    }
    const at::Tensor t = at::randint(0, alphasCumprod_.size(0), {size}, at::TensorOptions(at::kLong)).to(device);
    const at::Tensor noise = at::randn_like(latents);
    const at::Tensor noisy = inference::noiseToTimesteps(alphasCumprod_, latents, noise, t);
    return at::mse_loss(unet_->forward(noisy, t, context), noise);
  }

 private:
  inference::AutoencoderKL vae_;
  inference::ClipTextEncoder text_;
  inference::MotionAdapterConfig config_;
  NamedTensors parameters_;
  std::optional<inference::UNetMotion> unet_;
  at::Tensor emptyIds_, alphasCumprod_;
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
  // The image model stays frozen: only the adapter's tensors are trained.
  return std::unique_ptr<StageModel>(std::make_unique<MotionStage>(inputs, std::move(*image)));
}

}  // namespace lanterna::toy
