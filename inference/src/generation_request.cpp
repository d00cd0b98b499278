#include <cmath>
#include <cstdio>
#include <string>

#include "lanterna/inference/engine.h"

namespace lanterna::inference {
namespace {

// 0.05, 0.3333: short, no trailing zeros.
std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

constexpr int kMaxPromptCharacters = 20000;  // ~ 260 CLIP chunks; beyond that no model reads it meaningfully
constexpr int kMaxSide = 4096;
constexpr int kMaxSteps = 1000;
constexpr int kMaxFrames = 1024;

bool isKnownSampler(const std::string& name) {
  for (const char* known : {"euler", "euler_a", "ddim", "dpmpp_2m", "dpmpp_2m_karras", "lcm"})
    if (name == known) return true;
  return false;
}

}  // namespace

std::string validateRequest(const GenerationRequest& r) {
  if (r.prompt.size() > kMaxPromptCharacters)
    return "The prompt is " + std::to_string(r.prompt.size()) + " characters; the limit is " +
           std::to_string(kMaxPromptCharacters) + ".";
  if (r.negativePrompt.size() > kMaxPromptCharacters)
    return "The negative prompt is longer than " + std::to_string(kMaxPromptCharacters) + " characters.";
  if (!isKnownSampler(r.sampler))
    return "Unknown sampler \"" + r.sampler + "\" (use euler, euler_a, ddim, dpmpp_2m, dpmpp_2m_karras or lcm).";
  if (r.steps < 1 || r.steps > kMaxSteps) return "Steps must be between 1 and " + std::to_string(kMaxSteps) + ".";
  if (!std::isfinite(r.cfgScale) || r.cfgScale < 0.0 || r.cfgScale > 100.0)
    return "CFG scale must be a number between 0 and 100.";
  if (r.width < 8 || r.height < 8 || r.width > kMaxSide || r.height > kMaxSide)
    return "Width and height must be between 8 and " + std::to_string(kMaxSide) + " pixels.";
  if (r.width % 8 != 0 || r.height % 8 != 0)
    return "Width and height must be multiples of 8 (got " + std::to_string(r.width) + "x" +
           std::to_string(r.height) + ").";
  if (r.frames < 1 || r.frames > kMaxFrames) return "Frames must be between 1 and " + std::to_string(kMaxFrames) + ".";
  if (!std::isfinite(r.fps) || r.fps <= 0.0 || r.fps > 240.0) return "FPS must be between 0 and 240.";
  if (r.clipSkip < 1 || r.clipSkip > 2) return "Clip skip must be 1 or 2.";
  if (!std::isfinite(r.strength) || r.strength < 0.0 || r.strength > 1.0)
    return "Strength must be between 0 and 1.";
  // img2img denoises the last steps x strength steps (rounded down, as diffusers does): none would return nothing.
  if (r.initImage && r.frames == 1 && static_cast<int>(r.steps * r.strength) < 1)
    return "Strength " + formatNumber(r.strength) + " with " + std::to_string(r.steps) +
           " steps leaves no step to run on the init image: raise the strength to at least " +
           formatNumber(1.0 / r.steps) + ", or the steps.";
  if (!std::isfinite(r.motionAmount) || r.motionAmount < 0.0 || r.motionAmount > 1.0)
    return "Motion amount must be between 0 and 1.";
  if (r.initImage && (r.initImage->width <= 0 || r.initImage->height <= 0 ||
                      r.initImage->rgb.size() != static_cast<size_t>(r.initImage->width) * r.initImage->height * 3))
    return "The init image is empty or malformed.";
  if (!std::isfinite(r.noiseAugStrength) || r.noiseAugStrength < 0.0 || r.noiseAugStrength > 1.0)
    return "Noise augmentation must be between 0 and 1.";
  for (double scale : {r.minGuidanceScale, r.maxGuidanceScale})
    if (!std::isfinite(scale) || scale < 0.0 || scale > 100.0) return "Guidance scales must be between 0 and 100.";
  return {};
}

std::string validateRequest(const GenerationRequest& r, const EngineInfo& engine) {
  if (std::string problem = validateRequest(r); !problem.empty()) return problem;
  const std::string model = "\"" + engine.name + "\"";
  if (r.frames > 1 && !engine.supportsVideo)
    return model + " is an image model (" + engine.architecture + ") and cannot make a " + std::to_string(r.frames) +
           "-frame clip: add an AnimateDiff motion module (--motion-module FILE, or a motion_adapter/ folder inside "
           "the model) or use a Stable Video Diffusion model.";
  if (engine.requiresImage && !r.initImage)
    return model + " is Stable Video Diffusion: it animates an image, so the request needs one (--image).";
  return {};
}

}  // namespace lanterna::inference
