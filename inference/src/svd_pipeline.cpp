#include "svd_pipeline.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "memory_estimate.h"
#include "noise_schedule.h"
#include "scheduler.h"

namespace lanterna::inference {
namespace {

// Separable Gaussian of `size` taps centred on the middle one, normalised to sum 1.
at::Tensor gaussianKernel(int64_t size, double sigma, const at::TensorOptions& options) {
  at::Tensor x = at::arange(size, at::kDouble) - static_cast<double>(size / 2);
  if (size % 2 == 0) x = x + 0.5;
  at::Tensor g = at::exp(-(x * x) / (2.0 * sigma * sigma));
  return (g / g.sum()).to(options);
}

int64_t oddKernelSize(double sigma) {
  const auto size = static_cast<int64_t>(std::max(2.0 * 2.0 * sigma, 3.0));
  return size % 2 == 0 ? size + 1 : size;
}

std::string sizeText(const SvdRunShape& run) {
  return std::to_string(run.width) + "x" + std::to_string(run.height);
}

}  // namespace

at::Tensor resizeWithAntialias(const at::Tensor& image, int64_t height, int64_t width) {
  const double sigmaY = std::max((static_cast<double>(image.size(2)) / height - 1.0) / 2.0, 0.001);
  const double sigmaX = std::max((static_cast<double>(image.size(3)) / width - 1.0) / 2.0, 0.001);
  const int64_t sizeY = oddKernelSize(sigmaY), sizeX = oddKernelSize(sigmaX);
  const int64_t channels = image.size(1);
  at::Tensor kx = gaussianKernel(sizeX, sigmaX, image.options()).view({1, 1, 1, sizeX}).repeat({channels, 1, 1, 1});
  at::Tensor ky = gaussianKernel(sizeY, sigmaY, image.options()).view({1, 1, sizeY, 1}).repeat({channels, 1, 1, 1});
  // Reflect padding as kornia's filter2d; each channel filtered on its own (groups = channels).
  at::Tensor h = at::reflection_pad2d(image, {(sizeX - 1) / 2, sizeX / 2, 0, 0});
  h = at::conv2d(h, kx, at::Tensor(), at::IntArrayRef{1}, at::IntArrayRef{0}, at::IntArrayRef{1}, channels);
  h = at::reflection_pad2d(h, {0, 0, (sizeY - 1) / 2, sizeY / 2});
  h = at::conv2d(h, ky, at::Tensor(), at::IntArrayRef{1}, at::IntArrayRef{0}, at::IntArrayRef{1}, channels);
  return at::upsample_bicubic2d(h, {height, width}, /*align_corners=*/true);
}

double motionBucketId(double motionAmount) { return 1.0 + std::clamp(motionAmount, 0.0, 1.0) * 254.0; }

SvdPipeline::SvdPipeline(SvdComponents components, SvdOptions options)
    : components_(std::move(components)), options_(options) {
  options_.decodeChunkFrames = std::max<int64_t>(1, options_.decodeChunkFrames);
}

SvdRunShape SvdPipeline::runShape(const GenerationRequest& request) const {
  SvdRunShape run;
  run.width = request.width;
  run.height = request.height;
  run.frames = request.frames;
  run.decodeChunkFrames = std::min<int64_t>(options_.decodeChunkFrames, request.frames);
  run.bytesPerElement = at::elementSize(components_.unet.dtype());
  run.guidance = request.maxGuidanceScale > 1.0;
  return run;
}

std::optional<Error> SvdPipeline::refuseIfTooLarge(const GenerationRequest& request, int64_t budgetBytes) const {
  const SvdRunShape run = runShape(request);
  const auto& config = components_.unet.config();
  const int64_t needed = estimateSvdPeakMemoryBytes(config, components_.weightBytes, run);
  if (budgetBytes <= 0 || needed <= budgetBytes) return std::nullopt;
  const SvdFit fit = smallerSvdRuns(config, components_.weightBytes, run, budgetBytes);
  std::string suggestion;
  if (fit.fewerFrames) suggestion = std::to_string(fit.fewerFrames->frames) + " frames at " + sizeText(run);
  if (fit.smallerSize)
    suggestion += (suggestion.empty() ? "" : ", or ") + std::to_string(run.frames) + " frames at " +
                  sizeText(*fit.smallerSize);
  return makeError(ErrorKind::OutOfMemory,
                   "This Stable Video Diffusion run (" + std::to_string(run.frames) + " frames at " + sizeText(run) +
                       ") needs about " + formatGigabytes(needed) + " of memory but " +
                       formatGigabytes(budgetBytes) + " is available. " +
                       (suggestion.empty() ? std::string("No smaller setting fits: free some memory.")
                                           : "It would fit with " + suggestion + "."));
}

at::Tensor SvdPipeline::encodeImage(const at::Tensor& image) const {
  const auto& encoder = components_.imageEncoder;
  const int64_t side = encoder.config().imageSize;
  at::Tensor pixels = clipNormalize(resizeWithAntialias(image.to(at::kFloat), side, side));
  return encoder.forward(pixels.to(encoder.device(), encoder.dtype())).imageEmbeds.unsqueeze(1);
}

at::Tensor SvdPipeline::decode(const at::Tensor& latents, const CancelToken& cancel) const {
  const auto& vae = components_.vae;
  at::Tensor flat = latents.flatten(0, 1) / vae.config().scalingFactor;
  std::vector<at::Tensor> parts;
  for (int64_t start = 0; start < flat.size(0); start += options_.decodeChunkFrames) {
    if (cancel.cancelled()) return {};
    const int64_t n = std::min(options_.decodeChunkFrames, flat.size(0) - start);
    parts.push_back(vae.decode(flat.slice(0, start, start + n).to(vae.dtype()), n).to(at::kFloat).cpu());
  }
  return at::cat(parts, 0);
}

Result<GenerationOutput> SvdPipeline::generate(const GenerationRequest& request, StepObserver* observer,
                                               const CancelToken& cancel) {
  const auto started = std::chrono::steady_clock::now();
  if (!request.initImage)
    return makeError(ErrorKind::InvalidArgument, "Stable Video Diffusion animates an image: the request has none.");
  const auto& unet = components_.unet;
  const auto& vae = components_.vae;
  const auto device = unet.device();
  const int64_t frames = request.frames, factor = vae.config().downscale();
  const bool guided = request.maxGuidanceScale > 1.0;

  // 1. Image embedding of the image as given; zeros for the unconditional branch.
  const at::Tensor original = imageToTensor(*request.initImage);
  at::Tensor embeds = encodeImage(original).to(unet.dtype());
  if (guided) embeds = at::cat({at::zeros_like(embeds), embeds}, 0);

  // 2. The image at the output size, noise-augmented, as the VAE latent every frame is conditioned on (unscaled,
  //    the distribution's mode, as the reference does).
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(request.seed);
  at::Tensor image = original;
  if (image.size(2) != request.height || image.size(3) != request.width)
    image = at::_upsample_bilinear2d_aa(image, {request.height, request.width}, false);
  image = image + request.noiseAugStrength * at::randn(image.sizes(), generator, at::kFloat);
  at::Tensor imageLatents = vae.encode(image.to(device, vae.dtype())).mean.to(at::kFloat);
  imageLatents = imageLatents.unsqueeze(1).repeat({1, frames, 1, 1, 1});
  if (guided) imageLatents = at::cat({at::zeros_like(imageLatents), imageLatents}, 0);

  // 3. Added time ids, the same for both branches.
  const at::Tensor timeIds =
      svdAddedTimeIds(request.fps, motionBucketId(request.motionAmount), request.noiseAugStrength, guided ? 2 : 1)
          .to(device);

  // 4. The model's own EDM Euler schedule (samplers other than its config do not apply).
  auto made = makeScheduler("euler", components_.schedulerConfig);
  if (!made) return made.error();
  Scheduler& scheduler = **made;
  scheduler.setTimesteps(request.steps);
  const SchedulerConfig schedulerConfig = SchedulerConfig::fromJson(components_.schedulerConfig);

  // 5. Initial noise (1, F, C, h, w) drawn after the augmentation noise, as the reference orders them.
  const int64_t channels = unet.config().inChannels / 2;
  at::Tensor latents =
      at::randn({1, frames, channels, request.height / factor, request.width / factor}, generator, at::kFloat)
          .to(device) *
      scheduler.initNoiseSigma();
  const at::Tensor guidance = guidanceRamp(request.minGuidanceScale, request.maxGuidanceScale, frames).to(device);

  // 6. Denoise.
  StepNoise stepNoise(generator);
  const std::vector<double> sigmas = toDoubles(scheduler.sigmas());
  for (int i = 0; i < scheduler.stepCount(); ++i) {
    if (cancel.cancelled()) return makeError(ErrorKind::Cancelled, "Cancelled.");
    at::Tensor input = scheduler.scaleModelInput(guided ? at::cat({latents, latents}, 0) : latents, i);
    input = at::cat({input, imageLatents}, 2);
    const at::Tensor t = at::scalar_tensor(scheduler.timestepValue(i), at::TensorOptions(at::kFloat).device(device));
    at::Tensor output = unet.forward(input.to(unet.dtype()), t, embeds, timeIds).to(at::kFloat);
    if (guided) {
      auto halves = output.chunk(2, 0);
      output = halves[0] + guidance * (halves[1] - halves[0]);
    }
    if (observer) {
      StepInfo info;
      info.step = i + 1;
      info.totalSteps = scheduler.stepCount();
      if (components_.preview.valid())
        info.preview = components_.preview.render(
            eulerPredictOriginal(schedulerConfig.predictionType, sigmas[i], output, latents).flatten(0, 1));
      latents = scheduler.step(output, i, latents, stepNoise);
      info.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      observer->onStep(info);
    } else {
      latents = scheduler.step(output, i, latents, stepNoise);
    }
  }

  // 7. Temporal decode in frame chunks.
  at::Tensor decoded = decode(latents, cancel);
  if (!decoded.defined()) return makeError(ErrorKind::Cancelled, "Cancelled.");
  GenerationOutput output;
  output.frames = tensorToImages(decoded);
  output.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return output;
}

}  // namespace lanterna::inference
