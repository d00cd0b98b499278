#include "sd_pipeline.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>

#include "fault_injection.h"
#include "noise_schedule.h"

namespace lanterna::inference {
namespace {

at::Tensor idsTensor(const std::vector<std::vector<std::int64_t>>& chunks) {
  std::vector<std::int64_t> flat;
  for (const auto& chunk : chunks) flat.insert(flat.end(), chunk.begin(), chunk.end());
  return at::tensor(flat, at::kLong).reshape({static_cast<int64_t>(chunks.size()), -1});
}

}  // namespace

SdPipeline::SdPipeline(SdComponents components) : components_(std::move(components)) {
  const SchedulerConfig config = SchedulerConfig::fromJson(components_.schedulerConfig);
  alphasCumprod_ = toDoubles(trainAlphasCumprod(config));
  prediction_ = config.predictionType;
}

at::Tensor SdPipeline::encodeIds(const at::Tensor& ids, int clipSkip) const {
  const auto& encoder = components_.textEncoder;
  return encoder.encode(ids.to(encoder.device()), components_.baseClipSkip + clipSkip);
}

at::Tensor SdPipeline::encodePrompts(const std::string& prompt, const std::string& negative, int clipSkip,
                                     bool withUncond) {
  auto cond = components_.tokenizer.tokenizeChunks(prompt);
  std::vector<std::vector<std::int64_t>> uncond;
  if (withUncond) {
    uncond = components_.tokenizer.tokenizeChunks(negative);
    // Both sides need the same length to be batched: pad the shorter with empty-prompt chunks.
    const auto empty = components_.tokenizer.tokenize("");
    while (uncond.size() < cond.size()) uncond.push_back(empty);
    while (cond.size() < uncond.size()) cond.push_back(empty);
  }
  // Each 77-token chunk is encoded on its own; the chunks are joined along the sequence axis.
  auto encodeChunks = [&](const std::vector<std::vector<std::int64_t>>& chunks) {
    at::Tensor hidden = encodeIds(idsTensor(chunks), clipSkip);  // [chunks, 77, D]
    return hidden.reshape({1, -1, hidden.size(2)});
  };
  at::Tensor condEmbeds = encodeChunks(cond);
  if (!withUncond) return condEmbeds;
  return at::cat({encodeChunks(uncond), condEmbeds}, 0);
}

at::Tensor SdPipeline::predictOriginal(const at::Tensor& modelInput, const at::Tensor& modelOutput,
                                       double timestep) const {
  // The model input is x_t in variance-preserving form for every scheduler (Euler divides by sqrt(sigma^2+1)).
  const double alpha = interpolate(alphasCumprod_, std::clamp(timestep, 0.0, alphasCumprod_.size() - 1.0));
  const double a = std::sqrt(alpha), b = std::sqrt(1.0 - alpha);
  if (prediction_ == PredictionType::VPrediction) return modelInput * a - modelOutput * b;
  if (prediction_ == PredictionType::Sample) return modelOutput;
  return (modelInput - modelOutput * b) / a;
}

at::Tensor SdPipeline::denoise(Scheduler& scheduler, StepNoise& noise, at::Tensor latents,
                               const at::Tensor& context, double cfgScale, int startIndex, StepObserver* observer,
                               const CancelToken& cancel, DenoiseTrace* trace) {
  const bool guided = context.size(0) == 2;
  const auto started = std::chrono::steady_clock::now();
  const int total = scheduler.stepCount() - startIndex;
  const auto& unet = components_.unet;
  if (trace) trace->timesteps = scheduler.timesteps();
  for (int i = startIndex; i < scheduler.stepCount(); ++i) {
    if (cancel.cancelled()) return {};
    const double t = scheduler.timestepValue(i);
    // 1. Both guidance branches in one batch.
    at::Tensor input = guided ? at::cat({latents, latents}, 0) : latents;
    input = scheduler.scaleModelInput(input, i);
    at::Tensor timestep = at::scalar_tensor(t, at::TensorOptions().dtype(at::kFloat).device(unet.device()));
    at::Tensor output = unet.forward(input.to(unet.dtype()), timestep, context).to(latents.scalar_type());
    // 2. Classifier-free guidance.
    if (guided) {
      auto halves = output.chunk(2, 0);
      output = halves[0] + cfgScale * (halves[1] - halves[0]);
    }
    if (trace) {
      trace->unetInputs.push_back(input.cpu());
      trace->guidedNoise.push_back(output.cpu());
    }
    // 3. The scheduler's update, and a preview of where this step says the image is going.
    at::Tensor modelInput = guided ? input.chunk(2, 0)[1] : input;
    latents = scheduler.step(output, i, latents, noise);
    if (trace) trace->latents.push_back(latents.cpu());
    injectOutOfMemory("step", i - startIndex + 1);
    if (observer) {
      StepInfo info;
      info.step = i - startIndex + 1;
      info.totalSteps = total;
      info.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (components_.preview.valid()) info.preview = components_.preview.render(predictOriginal(modelInput, output, t));
      observer->onStep(info);
    }
  }
  return latents;
}

at::Tensor SdPipeline::decode(const at::Tensor& latents) const {
  const auto& vae = components_.vae;
  injectOutOfMemory("vae-decode");
  at::Tensor scaled = (latents / vaeScale()).to(vae.dtype());
  const bool large = latents.size(2) * latents.size(3) > 64 * 64;
  at::Tensor image = large ? vae.decodeTiled(scaled) : vae.decode(scaled);
  return (image.to(at::kFloat) / 2 + 0.5).clamp(0, 1);
}

Result<GenerationOutput> SdPipeline::generate(const GenerationRequest& request, StepObserver* observer,
                                              const CancelToken& cancel) {
  const auto started = std::chrono::steady_clock::now();
  const auto& unet = components_.unet;
  const int64_t factor = components_.vae.config().downscale();
  const std::vector<int64_t> latentShape{1, unet.config().inChannels, request.height / factor,
                                         request.width / factor};

  // 1. Prompt embeddings (unconditional first when guidance is on, as diffusers batches them).
  const bool guided = request.cfgScale > 1.0;
  at::Tensor context =
      encodePrompts(request.prompt, request.negativePrompt, request.clipSkip - 1, guided).to(unet.dtype());

  // 2. Schedule.
  auto made = makeScheduler(request.sampler, components_.schedulerConfig,
                            request.trailingSpacing ? TimestepSpacing::Trailing : TimestepSpacing::Unset);
  if (!made) return made.error();
  Scheduler& scheduler = **made;
  scheduler.setTimesteps(request.steps);

  // 3. Noise from the seed on ATen's CPU generator (same draws as diffusers and ComfyUI), moved to the device.
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(request.seed);
  const auto device = unet.device();
  int startIndex = 0;
  at::Tensor latents;
  if (request.initImage) {
    // img2img: the init image's latent (sampled, as diffusers does), noised to the strength's first step.
    const auto& vae = components_.vae;
    at::Tensor image = imageToTensor(*request.initImage);
    if (image.size(2) != request.height || image.size(3) != request.width)
      image = at::upsample_bilinear2d(image, {request.height, request.width}, false);
    LatentDistribution dist = vae.encode(image.to(device, vae.dtype()));
    at::Tensor sampleNoise = at::randn(dist.mean.sizes(), generator, at::kFloat).to(device);
    at::Tensor init = (dist.mean.to(at::kFloat) + dist.std().to(at::kFloat) * sampleNoise) * vaeScale();
    at::Tensor noise = at::randn(latentShape, generator, at::kFloat).to(device);
    startIndex = scheduler.img2imgStartIndex(request.strength);
    if (startIndex >= scheduler.stepCount())  // validateRequest refuses this first; never return no image
      return makeError(ErrorKind::InvalidArgument, "The strength leaves no denoising step; raise it or the steps.");
    latents = scheduler.addNoise(init, noise, startIndex);
  } else {
    latents = at::randn(latentShape, generator, at::kFloat).to(device) * scheduler.initNoiseSigma();
  }

  // 4. Denoise; ancestral samplers keep drawing from the same generator.
  StepNoise stepNoise(generator);
  latents = denoise(scheduler, stepNoise, latents, context, request.cfgScale, startIndex, observer, cancel);
  if (!latents.defined()) return makeError(ErrorKind::Cancelled, "Cancelled.");

  // 5. Decode.
  GenerationOutput output;
  output.frames = tensorToImages(decode(latents) * 2 - 1);
  output.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return output;
}

}  // namespace lanterna::inference
