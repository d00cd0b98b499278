#include "lanterna/app/toyworld_score.h"

#include <cmath>

#include "lanterna/assets/toy_detector.h"
#include "toy_world.h"

namespace lanterna::app {
namespace {

inference::Image engineImage(const toy::Image& image) { return {image.width, image.height, image.rgb}; }

// Prompt i of a score: its caption at the options' sampler, steps, guidance and seed + i, at the world's size.
inference::GenerationRequest requestFor(const ToyworldEvalOptions& options, const std::string& caption, int i) {
  inference::GenerationRequest request;
  request.prompt = caption;
  request.sampler = options.sampler;
  request.steps = options.steps;
  request.cfgScale = options.cfgScale;
  request.seed = options.seed + static_cast<std::uint64_t>(i);
  request.width = request.height = toy::kImageSize;
  return request;
}

double psnr(const inference::Image& a, const inference::Image& b) {
  if (a.width != b.width || a.height != b.height || a.rgb.size() != b.rgb.size() || a.rgb.empty()) return 0.0;
  double sum = 0.0;
  for (std::size_t i = 0; i < a.rgb.size(); ++i) {
    const double d = static_cast<double>(a.rgb[i]) - static_cast<double>(b.rgb[i]);
    sum += d * d;
  }
  const double mse = sum / static_cast<double>(a.rgb.size());
  return mse > 0 ? 10.0 * std::log10(255.0 * 255.0 / mse) : 99.0;
}

assets::ToyTarget targetOf(const toy::ShapeTruth& shape) {
  return {toy::colourName(shape.colour), toy::shapeName(shape.shape), toy::positionName(shape.position), {}};
}

// Judges one image against its scene: the first shape decides `passed`, every shape `allShapes`.
Result<ToyworldPromptResult> judge(const toy::ToyScene& scene, inference::Image image) {
  ToyworldPromptResult result;
  result.prompt = scene.caption;
  result.image = std::move(image);
  const assets::RgbImageView view{result.image.rgb.data(), result.image.width, result.image.height};
  result.allShapes = true;
  for (std::size_t s = 0; s < scene.shapes.size(); ++s) {
    auto seen = assets::detectToyShape(view, targetOf(scene.shapes[s]));
    if (!seen) return seen.error();
    if (s == 0) {
      result.passed = seen->found;
      if (!seen->found) result.reason = seen->reason;
    }
    result.allShapes = result.allShapes && seen->found;
  }
  return result;
}

template <typename MakeImage>
Result<ToyworldScore> score(const ToyworldEvalOptions& options, MakeImage&& makeImage,
                            const std::function<void(int done, int total)>& progress) {
  const toy::ToyWorld world(options.worldSeed);
  const toy::Split split = options.heldOut ? toy::Split::HeldOut : toy::Split::Train;
  ToyworldScore score;
  for (int i = 0; i < options.prompts; ++i) {
    const toy::ToyScene scene = world.scene(static_cast<std::uint64_t>(i), split);
    Result<inference::Image> image = makeImage(scene, i);
    if (!image) return image.error();
    auto result = judge(scene, std::move(*image));
    if (!result) return result.error();
    score.passed += result->passed ? 1 : 0;
    score.allShapesPassed += result->allShapes ? 1 : 0;
    ++score.total;
    score.results.push_back(std::move(*result));
    if (progress) progress(i + 1, options.prompts);
  }
  return score;
}

}  // namespace

Result<ToyworldScore> scoreToyworld(inference::Engine& engine, const ToyworldEvalOptions& options,
                                    const std::function<void(int done, int total)>& progress) {
  inference::CancelToken never;
  auto generate = [&](const toy::ToyScene& scene, int i) -> Result<inference::Image> {
    inference::GenerationRequest request = requestFor(options, scene.caption, i);
    if (options.initStrength > 0) {
      request.initImage = engineImage(scene.image);
      request.strength = options.initStrength;
    }
    auto output = engine.generate(request, nullptr, never);
    if (!output) return output.error();
    return std::move(output->frames.front());
  };
  return score(options, generate, progress);
}

Result<ToyworldScore> scoreToyworldTruth(const ToyworldEvalOptions& options) {
  auto render = [](const toy::ToyScene& scene, int) -> Result<inference::Image> {
    return engineImage(scene.image);
  };
  return score(options, render, {});
}

Result<ToyworldClipScore> scoreToyworldClips(inference::Engine& engine, const ToyworldEvalOptions& options,
                                             ClipSource source, const std::function<void(int done, int total)>& progress) {
  inference::CancelToken never;
  const toy::ToyWorld world(options.worldSeed);
  const toy::Split split = options.heldOut ? toy::Split::HeldOut : toy::Split::Train;
  ToyworldClipScore score;
  double psnrSum = 0.0;
  for (int i = 0; i < options.prompts; ++i) {
    const auto index = static_cast<std::uint64_t>(i);
    const toy::ToyClip clip = options.counterparts ? world.counterpart(index, split) : world.clip(index, split);
    const inference::Image first = engineImage(clip.frames.front());
    inference::GenerationRequest request = requestFor(options, clip.caption, i);
    request.frames = static_cast<int>(clip.frames.size());
    if (source == ClipSource::FirstFrame) request.initImage = first;
    auto output = engine.generate(request, nullptr, never);
    if (!output) return output.error();

    ToyworldClipResult result;
    result.prompt = clip.caption;
    result.frames = std::move(output->frames);
    std::vector<assets::RgbImageView> views;
    for (const auto& frame : result.frames) views.push_back({frame.rgb.data(), frame.width, frame.height});
    // The mover is the only shape of its colour: tracked by colour alone, since how well shapes are drawn is what
    // the image score measures.
    const toy::ShapeTruth& mover = clip.track.front();
    auto seen = assets::detectToyMotion(views, {toy::colourName(mover.colour), "", toy::motionName(clip.motion)});
    if (!seen) return seen.error();
    result.moved = seen->found;
    if (!seen->found) result.reason = seen->reason;
    auto drawn = assets::detectToyShape(views.front(), targetOf(mover));
    if (!drawn) return drawn.error();
    result.firstFrameAsPrompted = drawn->found;
    if (!drawn->found) result.firstFrameReason = drawn->reason;
    score.firstFrameAsPrompted += drawn->found ? 1 : 0;
    if (source == ClipSource::FirstFrame) {
      result.firstFramePsnr = psnr(result.frames.front(), first);
      psnrSum += result.firstFramePsnr;
      score.keptFirstFrame += result.firstFramePsnr >= ToyworldClipScore::kFirstFramePsnr ? 1 : 0;
    }
    score.moved += result.moved ? 1 : 0;
    ++score.total;
    score.results.push_back(std::move(result));
    if (progress) progress(i + 1, options.prompts);
  }
  score.meanFirstFramePsnr = score.total > 0 ? psnrSum / score.total : 0.0;
  return score;
}

}  // namespace lanterna::app
