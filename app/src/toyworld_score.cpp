#include "lanterna/app/toyworld_score.h"

#include "lanterna/assets/toy_detector.h"
#include "toy_world.h"

namespace lanterna::app {
namespace {

assets::ToyTarget targetOf(const toy::ShapeTruth& shape) {
  return {toy::colourName(shape.colour), toy::shapeName(shape.shape), toy::positionName(shape.position), {}};
}

}  // namespace

Result<ToyworldScore> scoreToyworld(inference::Engine& engine, const ToyworldEvalOptions& options,
                                    const std::function<void(int done, int total)>& progress) {
  const toy::ToyWorld world(options.worldSeed);
  ToyworldScore score;
  inference::CancelToken never;
  for (int i = 0; i < options.prompts; ++i) {
    const toy::ToyScene scene = world.scene(static_cast<std::uint64_t>(i), toy::Split::HeldOut);
    inference::GenerationRequest request;
    request.prompt = scene.caption;
    request.sampler = options.sampler;
    request.steps = options.steps;
    request.cfgScale = options.cfgScale;
    request.seed = options.seed + static_cast<std::uint64_t>(i);
    request.width = request.height = toy::kImageSize;
    auto output = engine.generate(request, nullptr, never);
    if (!output) return output.error();

    ToyworldPromptResult result;
    result.prompt = scene.caption;
    result.image = std::move(output->frames.front());
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
    score.passed += result.passed ? 1 : 0;
    score.allShapesPassed += result.allShapes ? 1 : 0;
    ++score.total;
    score.results.push_back(std::move(result));
    if (progress) progress(i + 1, options.prompts);
  }
  return score;
}

}  // namespace lanterna::app
