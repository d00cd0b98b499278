#include "animatediff_pipeline.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>

#include "latent_preview.h"
#include "noise_schedule.h"
#include "video_sampling.h"

namespace lanterna::inference {
namespace {

// Reports another pass's steps as part of a longer run: step `before` + n of `total` (nothing without an observer).
class StepsWithin final : public StepObserver {
 public:
  StepsWithin(StepObserver* inner, int before, int total) : inner_(inner), before_(before), total_(total) {}
  void onStep(const StepInfo& step) override {
    StepInfo shifted = step;
    shifted.step += before_;
    shifted.totalSteps = total_;
    if (inner_) inner_->onStep(shifted);
  }

 private:
  StepObserver* inner_;
  int before_, total_;
};

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

std::string lowered(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Whether `needle` (lowercase) occurs in `lower` as whole words at `at`.
bool wholeWordsAt(const std::string& lower, std::size_t at, const std::string& needle) {
  const std::size_t end = at + needle.size();
  return lower.compare(at, needle.size(), needle) == 0 && (at == 0 || !isWordChar(lower[at - 1])) &&
         (end == lower.size() || !isWordChar(lower[end]));
}

// The first place at or after `from` where `needle` (lowercase) occurs in `lower` as whole words, else npos.
std::size_t findWholeWords(const std::string& lower, const std::string& needle, std::size_t from = 0) {
  for (std::size_t at = lower.find(needle, from); at != std::string::npos; at = lower.find(needle, at + 1))
    if (wholeWordsAt(lower, at, needle)) return at;
  return std::string::npos;
}

// Puts `words` (`lowerWords` lowercased) where an adjective of the noun phrase before `before` goes: after its
// article, the last "a" or "an" before `before`, which then agrees with them ("an orange circle" -> "a big orange
// circle"); at the start when there is none ("red circle at the left" -> "small red circle at the left"). The
// tidying drops the extra spaces.
void insertAdjective(std::string& text, std::string& lower, std::size_t before, const std::string& words,
                     const std::string& lowerWords) {
  for (std::size_t at = std::min(before, lower.size()); at-- > 0;) {
    for (const std::string article : {"a", "an"}) {
      if (!wholeWordsAt(lower, at, article)) continue;
      const bool vowel = std::string("aeiou").find(lowerWords.front()) != std::string::npos;
      const std::string agreeing = vowel ? "an" : "a";
      const std::string written = text[at] == 'A' ? (vowel ? "An" : "A") : agreeing;
      text.replace(at, article.size(), written + " " + words + " ");
      lower.replace(at, article.size(), agreeing + " " + lowerWords + " ");
      return;
    }
  }
  text.insert(0, words + " ");
  lower.insert(0, lowerWords + " ");
}

}  // namespace

std::string keyframePrompt(const std::string& prompt, const std::vector<std::string>& motionPhrases,
                           const std::map<std::string, std::string>& keyframeWords) {
  // Matched on a lowercased copy, cut from both, so the prompt keeps its own case.
  std::string text = prompt, lower = lowered(prompt);
  for (const std::string& phrase : motionPhrases) {
    if (phrase.empty()) continue;
    const std::string needle = lowered(phrase);
    const std::size_t first = findWholeWords(lower, needle);
    for (std::size_t at = first; at != std::string::npos; at = findWholeWords(lower, needle, at)) {
      text.erase(at, needle.size());
      lower.erase(at, needle.size());
    }
    // What the motion's first frame shows, said where the prompt's own adjectives go, unless it says it already.
    const auto words = keyframeWords.find(phrase);
    if (first == std::string::npos || words == keyframeWords.end() || words->second.empty()) continue;
    const std::string lowerWords = lowered(words->second);
    if (findWholeWords(lower, lowerWords) != std::string::npos) continue;
    insertAdjective(text, lower, first, words->second, lowerWords);
  }
  // Tidy what the cuts left: one space between words, none before a comma, no empty list items or loose ends.
  std::string tidy;
  for (char c : text) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (space && (tidy.empty() || tidy.back() == ' ')) continue;
    if (c == ',') {
      while (!tidy.empty() && tidy.back() == ' ') tidy.pop_back();
      if (tidy.empty() || tidy.back() == ',') continue;
    }
    tidy.push_back(space ? ' ' : c);
  }
  while (!tidy.empty() && (tidy.back() == ' ' || tidy.back() == ',')) tidy.pop_back();
  // A prompt that is all motion says nothing else about the picture: the keyframe keeps it whole.
  return tidy.empty() ? prompt : tidy;
}

AnimateDiffPipeline::AnimateDiffPipeline(SdPipeline& sd, const UNetMotion& unet, AnimateDiffOptions options)
    : sd_(sd), unet_(unet), options_(options) {
  const SchedulerConfig config = SchedulerConfig::fromJson(sd_.components().schedulerConfig);
  alphasCumprod_ = toDoubles(trainAlphasCumprod(config));
  prediction_ = config.predictionType;
  // A window longer than the positional table cannot run; an overlap as long as the window never advances.
  options_.contextFrames = std::clamp<int64_t>(options_.contextFrames, 1, std::max<int64_t>(1, unet_.maxFrames()));
  options_.contextOverlap = std::clamp<int64_t>(options_.contextOverlap, 0, options_.contextFrames - 1);
  options_.decodeChunkFrames = std::max<int64_t>(1, options_.decodeChunkFrames);
}

at::Tensor AnimateDiffPipeline::predictNoise(const at::Tensor& latents, double timestep, const at::Tensor& context,
                                             double cfgScale, bool cleanFirstFrame) const {
  const bool guided = context.size(0) == 2;
  const int64_t frames = latents.size(0);
  const auto& spatial = unet_.spatial();
  const at::Tensor t = at::scalar_tensor(timestep, at::TensorOptions().dtype(at::kFloat).device(spatial.device()));
  at::Tensor sum = at::zeros_like(latents);
  at::Tensor weightSum = at::zeros({frames, 1, 1, 1}, latents.options());
  for (const FrameWindow& window : contextWindows(frames, options_.contextFrames, options_.contextOverlap)) {
    // (len, C, h, w) -> (1, C, len, h, w); both guidance branches in one batch, unconditional first.
    at::Tensor clip = latents.slice(0, window.start, window.start + window.length).permute({1, 0, 2, 3}).unsqueeze(0);
    if (guided) clip = at::cat({clip, clip}, 0);
    at::Tensor windowT = t;
    if (cleanFirstFrame && window.start == 0) {  // (batch, len): the given frame at timestep 0
      windowT = t.expand({clip.size(0), window.length}).clone();
      windowT.select(1, 0).zero_();
    }
    at::Tensor out = unet_.forward(clip.to(spatial.dtype()), windowT, context).to(latents.scalar_type());
    if (guided) {
      auto halves = out.chunk(2, 0);
      out = halves[0] + cfgScale * (halves[1] - halves[0]);
    }
    out = out.squeeze(0).permute({1, 0, 2, 3});
    const at::Tensor weights =
        windowBlendWeights(window, frames, options_.contextOverlap).to(latents.device(), latents.scalar_type());
    const at::Tensor w = weights.view({window.length, 1, 1, 1});
    sum.slice(0, window.start, window.start + window.length).add_(out * w);
    weightSum.slice(0, window.start, window.start + window.length).add_(w);
  }
  return sum / weightSum;
}

at::Tensor AnimateDiffPipeline::encodeImage(const Image& image, int width, int height) const {
  const auto& vae = sd_.components().vae;
  at::Tensor pixels = imageToTensor(image);
  if (pixels.size(2) != height || pixels.size(3) != width)
    pixels = at::upsample_bilinear2d(pixels, {height, width}, false);
  // The distribution's mean, not a sample: the pinned frame decodes to the VAE's own round trip of the image.
  const at::Tensor mean = vae.encode(pixels.to(unet_.spatial().device(), vae.dtype())).mean.to(at::kFloat);
  return mean * sd_.vaeScale();
}

at::Tensor AnimateDiffPipeline::withFirstFrame(const at::Tensor& first, const at::Tensor& latents) {
  return at::cat({first.to(latents.options()), latents.slice(0, 1)}, 0);
}

double AnimateDiffPipeline::alphaAt(double t) const {
  return interpolate(alphasCumprod_, std::clamp(t, 0.0, alphasCumprod_.size() - 1.0));
}

at::Tensor AnimateDiffPipeline::knownTarget(const at::Tensor& clean, const at::Tensor& noise, double t) const {
  const double alpha = alphaAt(t);
  if (prediction_ == PredictionType::VPrediction) return noise * std::sqrt(alpha) - clean * std::sqrt(1.0 - alpha);
  if (prediction_ == PredictionType::Sample) return clean;
  return noise;
}

at::Tensor AnimateDiffPipeline::denoisedEstimate(const at::Tensor& modelInput, const at::Tensor& noisePrediction,
                                                 double t) const {
  // Same x0 estimate as the image pipeline's previews: the model input is x_t in variance-preserving form.
  const double alpha = alphaAt(t);
  const double a = std::sqrt(alpha), b = std::sqrt(1.0 - alpha);
  if (prediction_ == PredictionType::VPrediction) return modelInput * a - noisePrediction * b;
  if (prediction_ == PredictionType::Sample) return noisePrediction;
  return (modelInput - noisePrediction * b) / a;
}

Result<GenerationOutput> AnimateDiffPipeline::generate(const GenerationRequest& request, StepObserver* observer,
                                                       const CancelToken& cancel) {
  const auto started = std::chrono::steady_clock::now();
  if (request.frames < 1) return makeError(ErrorKind::InvalidArgument, "AnimateDiff needs at least one frame.");
  auto& components = sd_.components();
  const auto& spatial = unet_.spatial();
  const int64_t factor = components.vae.config().downscale();
  const int64_t frames = request.frames, channels = spatial.config().inChannels;
  const int64_t h = request.height / factor, w = request.width / factor;

  // 1. Prompt embeddings through the image pipeline (unconditional row first when guidance is on).
  const bool guided = request.cfgScale > 1.0;
  const at::Tensor context =
      sd_.encodePrompts(request.prompt, request.negativePrompt, request.clipSkip - 1, guided).to(spatial.dtype());

  // 2. Schedule.
  auto made = makeScheduler(request.sampler, components.schedulerConfig,
                            request.trailingSpacing ? TimestepSpacing::Trailing : TimestepSpacing::Unset);
  if (!made) return made.error();
  Scheduler& scheduler = **made;
  scheduler.setTimesteps(request.steps);

  // 3. Noise drawn as diffusers' AnimateDiff pipeline shapes it, (1, C, F, h, w), then held as F images so the
  //    scheduler treats the frames as a batch.
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(request.seed);
  at::Tensor latents = at::randn({1, channels, frames, h, w}, generator, at::kFloat)
                           .squeeze(0)
                           .permute({1, 0, 2, 3})
                           .contiguous()
                           .to(spatial.device()) *
                       scheduler.initNoiseSigma();

  // 4. Image-to-video: frame 0 is pinned to the image's latent, noised to each step's level with frame 0's own
  //    noise so the clip the UNet sees stays consistent, and clean at the end. An adapter trained on a clean first
  //    frame makes text-to-video in two passes, as Emu Video does: the image model draws the first frame (exactly
  //    the text-to-image picture of this prompt and seed), then the clip is animated from it.
  const bool keyframeFirst = !request.initImage && unet_.config().cleanFirstFrame;
  const int clipSteps = scheduler.stepCount();
  const int keyframeSteps = keyframeFirst ? clipSteps : 0;
  at::Tensor pinned, pinnedNoise;
  if (keyframeFirst) {
    GenerationRequest still = request;
    still.frames = 1;
    still.prompt = keyframePrompt(request.prompt, unet_.config().motionPhrases, unet_.config().keyframeWords);
    StepsWithin keyframeProgress(observer, 0, keyframeSteps + clipSteps);
    auto keyframe = sd_.generate(still, &keyframeProgress, cancel);
    if (!keyframe) return keyframe.error();
    pinned = encodeImage(keyframe->frames.front(), request.width, request.height);
  } else if (request.initImage) {
    pinned = encodeImage(*request.initImage, request.width, request.height);
  }
  if (pinned.defined()) pinnedNoise = latents.slice(0, 0, 1) / scheduler.initNoiseSigma();

  // 5. Denoise.
  StepNoise stepNoise(generator);
  for (int i = 0; i < scheduler.stepCount(); ++i) {
    if (cancel.cancelled()) return makeError(ErrorKind::Cancelled, "Cancelled.");
    if (pinned.defined()) latents = withFirstFrame(scheduler.addNoise(pinned, pinnedNoise, i), latents);
    const double t = scheduler.timestepValue(i);
    const at::Tensor input = scheduler.scaleModelInput(latents, i);
    at::Tensor noise;
    if (pinned.defined() && unet_.config().cleanFirstFrame) {
      // The model sees the image clean (as at timestep 0 in training); frame 0 then follows its own noise path, so
      // the sampler and the preview see exactly the image's latent at this step's level.
      const at::Tensor given = pinned.to(input.options()) * std::sqrt(alphasCumprod_.front());
      noise = predictNoise(withFirstFrame(given, input), t, context, request.cfgScale, true);
      noise = withFirstFrame(knownTarget(pinned, pinnedNoise, t), noise);
    } else {
      noise = predictNoise(input, t, context, request.cfgScale);
    }
    latents = scheduler.step(noise, i, latents, stepNoise);
    if (observer) {
      StepInfo info;
      info.step = keyframeSteps + i + 1;
      info.totalSteps = keyframeSteps + clipSteps;
      info.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (components.preview.valid()) info.preview = components.preview.render(denoisedEstimate(input, noise, t));
      observer->onStep(info);
    }
  }

  if (pinned.defined()) latents = withFirstFrame(pinned, latents);

  // 6. Decode a few frames at a time (the VAE's activations dominate memory at full resolution).
  std::vector<at::Tensor> images;
  for (int64_t start = 0; start < frames; start += options_.decodeChunkFrames) {
    if (cancel.cancelled()) return makeError(ErrorKind::Cancelled, "Cancelled.");
    images.push_back(sd_.decode(latents.slice(0, start, std::min(frames, start + options_.decodeChunkFrames))).cpu());
  }
  GenerationOutput output;
  output.frames = tensorToImages(at::cat(images, 0) * 2 - 1);
  output.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return output;
}

}  // namespace lanterna::inference
