// Scores an image model against the toy world's held-out split: each held-out scene's caption is generated and
// the toy detector checks that its first shape (a colour/shape/cell combination never seen in training) shows in
// the named colour, shape and cell. Usage:
//   auto engine = inference::Engine::open(modelDir);
//   Result<ToyworldScore> score = scoreToyworld(*engine, ToyworldEvalOptions{.sampler = "euler", .steps = 20});
//   if (score) printf("%d/%d\n", score->passed, score->total);
// Runs the engine on the calling thread; one call at a time per engine.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lanterna/inference/engine.h"
#include "lanterna/result.h"

namespace lanterna::app {

struct ToyworldEvalOptions {
  int prompts = 20;             // held-out scenes 0..prompts-1
  std::uint64_t worldSeed = 7;  // which toy world the scenes come from
  std::string sampler = "euler_a";
  int steps = 20;
  double cfgScale = 5.0;
  std::uint64_t seed = 1;       // generation seed of prompt i is seed + i
  bool heldOut = true;          // false: the training split's scenes (what the model saw), for diagnosis
  // > 0: each image starts from the scene's own render at this img2img strength instead of noise. A small value
  // (one step) scores what survives the VAE: the model's ceiling, for diagnosis.
  double initStrength = 0.0;
  // Clips: each clip's counterpart instead (the same first frame moving another way), for diagnosis of a motion run
  // trained with lanterna-train --paired-motions: whether the caption, not the picture, decides the motion.
  bool counterparts = false;
};

struct ToyworldPromptResult {
  std::string prompt;
  bool passed = false;     // the first (held-out) shape was seen as named
  bool allShapes = false;  // every shape of the caption was
  std::string reason;      // what the detector saw instead, when not passed
  inference::Image image;
};

struct ToyworldScore {
  int passed = 0;
  int allShapesPassed = 0;
  int total = 0;
  std::vector<ToyworldPromptResult> results;
  double fraction() const { return total > 0 ? static_cast<double>(passed) / total : 0.0; }
};

// Calls progress(i, total) after each image. Errors: the engine's, or the detector's for an unreadable image.
Result<ToyworldScore> scoreToyworld(inference::Engine& engine, const ToyworldEvalOptions& options,
                                    const std::function<void(int done, int total)>& progress = {});
// The same scenes, judged on the toy world's own renders: what the detector scores on perfect images (the ceiling
// of scoreToyworld; below 100% means the detector or the captions are wrong, not the model).
Result<ToyworldScore> scoreToyworldTruth(const ToyworldEvalOptions& options);

// Clips: each held-out clip's caption is generated as a clip of its frame count (text-to-video), or animated from
// the clip's own first frame (image-to-video, which must keep that frame). The detector tracks the moving shape's
// colour and judges the motion. Needs an engine that makes clips (the toyworld model's motion adapter).
struct ToyworldClipResult {
  std::string prompt;
  bool moved = false;            // the named shape moved as the caption says
  double firstFramePsnr = 0.0;   // image-to-video: the first frame against the given one, in dB
  std::string reason;            // the motion seen instead, when not moved
  // The first frame shows the named shape in its cell, judged as the image score judges a still. For text-to-video
  // this scores the keyframe the image model drew, so a miss can be told apart from a motion the adapter got wrong.
  bool firstFrameAsPrompted = false;
  std::string firstFrameReason;  // what the detector saw instead, when not
  std::vector<inference::Image> frames;
};

struct ToyworldClipScore {
  int moved = 0;
  int keptFirstFrame = 0;  // image-to-video: first frames at or above kFirstFramePsnr
  int firstFrameAsPrompted = 0;
  int total = 0;
  double meanFirstFramePsnr = 0.0;
  std::vector<ToyworldClipResult> results;
  static constexpr double kFirstFramePsnr = 25.0;
  double movedFraction() const { return total > 0 ? static_cast<double>(moved) / total : 0.0; }
};

enum class ClipSource { Text, FirstFrame };
Result<ToyworldClipScore> scoreToyworldClips(inference::Engine& engine, const ToyworldEvalOptions& options,
                                             ClipSource source,
                                             const std::function<void(int done, int total)>& progress = {});

}  // namespace lanterna::app
