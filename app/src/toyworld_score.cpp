#include "lanterna/app/toyworld_score.h"

#include "lanterna/assets/toy_detector.h"
#include "toy_world.h"

namespace lanterna::app {
namespace {

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
    inference::GenerationRequest request;
    request.prompt = scene.caption;
    request.sampler = options.sampler;
    request.steps = options.steps;
    request.cfgScale = options.cfgScale;
    request.seed = options.seed + static_cast<std::uint64_t>(i);
    request.width = request.height = toy::kImageSize;
    if (options.initStrength > 0) {
      request.initImage = inference::Image{scene.image.width, scene.image.height, scene.image.rgb};
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
    return inference::Image{scene.image.width, scene.image.height, scene.image.rgb};
  };
  return score(options, render, {});
}

}  // namespace lanterna::app
