// `lanterna-cli animate --model PATH|NAME --image PHOTO [--prompt TEXT] [--frames N] [--fps F] [--motion M]
// [--restore] [--seed S] [--steps N] [--out OUT.mp4]`: image-to-video ("animate an old photo"). The photo is
// prepared to the model's size (EXIF orientation, sRGB, centre crop or --pad, optional restoration), animated by an
// SVD model or an SD 1.x model with a motion module, and written as a clip whose container follows --out.
#include <QFileInfo>

#include <csignal>
#include <iostream>
#include <random>

#include "clip_output.h"
#include "commands.h"
#include "lanterna/app/generation_parameters.h"
#include "lanterna/app/image_convert.h"
#include "lanterna/app/model_library.h"
#include "lanterna/app/photo_preparation.h"
#include "lanterna/inference/engine.h"
#include "progress_bar.h"

namespace lanterna::cli {
namespace {

inference::CancelToken* gCancel = nullptr;
void onInterrupt(int) {
  if (gCancel) gCancel->cancel();
}

struct AnimateOptions {
  std::string model, image, out, motionModule;
  inference::GenerationRequest request;
  bool restore = false, pad = false;
  bool randomSeed = true, sizeGiven = false, framesGiven = false, fpsGiven = false, stepsGiven = false,
       cfgGiven = false;
};

class ProgressObserver : public inference::StepObserver {
 public:
  explicit ProgressObserver(ProgressBar& bar) : bar_(bar) {}
  void onStep(const inference::StepInfo& step) override { bar_.update(step.step, step.totalSteps, step.elapsedSeconds); }

 private:
  ProgressBar& bar_;
};

Result<inference::Image> preparedPhoto(const AnimateOptions& options, int width, int height) {
  app::PhotoPreparation preparation;
  preparation.width = width;
  preparation.height = height;
  preparation.fit = options.pad ? app::PhotoPreparation::Fit::Pad : app::PhotoPreparation::Fit::Crop;
  preparation.restore = options.restore;
  auto picture = app::preparePhoto(options.image, preparation);
  if (!picture) return picture.error();
  return app::fromQImage(*picture);
}

int runAnimate(const AnimateOptions& options) {
  auto modelPath = app::ModelLibrary::fromSettings().resolve(QString::fromStdString(options.model));
  if (!modelPath) return reportError(modelPath.error());
  inference::EngineOptions engineOptions;
  engineOptions.motionModule = options.motionModule;
  auto engine = inference::Engine::open(modelPath->toStdString(), engineOptions);
  if (!engine) return reportError(engine.error());
  const inference::EngineInfo& info = engine->info();
  if (!info.supportsImageToVideo) {
    std::cerr << "\"" << info.name << "\" cannot animate an image: use a Stable Video Diffusion model, or add an "
              << "AnimateDiff motion module to this Stable Diffusion 1.x model (--motion-module FILE).\n";
    return kExitBadInput;
  }

  inference::GenerationRequest request = options.request;
  if (options.randomSeed) request.seed = std::random_device{}() | (std::uint64_t(std::random_device{}()) << 32);
  if (!options.sizeGiven) {
    request.width = info.defaultWidth;
    request.height = info.defaultHeight;
  }
  if (!options.framesGiven) request.frames = info.defaultFrames;
  if (!options.fpsGiven) request.fps = info.defaultFps;
  if (!options.stepsGiven) request.steps = info.requiresImage ? 25 : info.defaultSteps;  // 25: SVD's reference
  if (!options.cfgGiven) request.cfgScale = info.defaultCfgScale;
  if (const std::string problem = inference::validateRequest(request); !problem.empty()) {
    std::cerr << problem << "\n";
    return kExitBadInput;
  }
  auto photo = preparedPhoto(options, request.width, request.height);
  if (!photo) return reportError(photo.error());
  request.initImage = std::move(*photo);
  if (const std::string problem = inference::validateRequest(request, info); !problem.empty()) {
    std::cerr << problem << "\n";
    return kExitBadInput;
  }

  inference::CancelToken cancel;
  gCancel = &cancel;
  std::signal(SIGINT, onInterrupt);
  ProgressBar bar("animating");
  ProgressObserver observer(bar);
  auto output = engine->generate(request, &observer, cancel);
  gCancel = nullptr;
  if (!output) {
    bar.finish("");
    std::cerr << output.error().message << "\n";
    return output.error().kind == ErrorKind::Cancelled ? kExitCancelled
           : output.error().kind == ErrorKind::InvalidArgument || output.error().kind == ErrorKind::OutOfMemory
               ? kExitBadInput
               : kExitFailure;
  }
  const std::filesystem::path out =
      options.out.empty() ? std::filesystem::path(options.image).stem().string() + ".mp4" : options.out;
  const QString parameters = app::formatParameters(request, QFileInfo(*modelPath).completeBaseName(), {});
  if (Status saved = writeClip(out, output->frames, request.fps, parameters.toStdString()); !saved)
    return reportError(saved.error());
  bar.finish("saved " + out.string() + "  (" + std::to_string(output->frames.size()) + " frames, seed " +
             std::to_string(request.seed) + ", " + std::to_string(output->seconds).substr(0, 5) + " s on " +
             output->device + ")");
  return kExitOk;
}

}  // namespace

void addAnimateCommands(CLI::App& app, int& exitCode) {
  auto options = std::make_shared<AnimateOptions>();
  auto& r = options->request;
  auto* command = app.add_subcommand("animate", "Animate a photo into a clip (image-to-video)");
  command->add_option("--model", options->model, "SVD folder, or an SD 1.x model with a motion module")->required();
  command->add_option("--image", options->image, "The photo to animate")->required();
  command->add_option("--prompt", r.prompt, "What happens (AnimateDiff; SVD ignores it)");
  command->add_option("--negative", r.negativePrompt, "What to avoid (AnimateDiff)");
  auto* frames = command->add_option("--frames", r.frames, "Frames in the clip (default: the model's)");
  auto* fps = command->add_option("--fps", r.fps, "Frames per second (default: the model's)");
  command->add_option("--motion", r.motionAmount, "How much motion, 0..1 (SVD's motion bucket)")
      ->capture_default_str();
  command->add_flag("--restore", options->restore, "Restore an old photo first (denoise, dust, scratches, contrast)");
  command->add_flag("--pad", options->pad, "Letterbox the whole photo instead of cropping it to fill");
  auto* seed = command->add_option("--seed", r.seed, "Seed (random when omitted)");
  auto* steps = command->add_option("--steps", r.steps, "Denoising steps (default 25 for SVD, 20 otherwise)");
  auto* cfg = command->add_option("--cfg", r.cfgScale, "Guidance scale (AnimateDiff; default: the model's, else 7)");
  command->add_option("--sampler", r.sampler, "Sampler (AnimateDiff): euler, euler_a, ddim, ...")
      ->capture_default_str();
  command->add_option("--noise-aug", r.noiseAugStrength, "Noise added to the image (SVD)")->capture_default_str();
  command->add_option("--min-guidance", r.minGuidanceScale, "Guidance on the first frame (SVD)")->capture_default_str();
  command->add_option("--max-guidance", r.maxGuidanceScale, "Guidance on the last frame (SVD)")->capture_default_str();
  auto* width = command->add_option("--width", r.width, "Width in pixels (default: the model's)");
  auto* height = command->add_option("--height", r.height, "Height in pixels (default: the model's)");
  command->add_option("--motion-module", options->motionModule, "AnimateDiff motion module for an SD 1.x model");
  command->add_option("--out", options->out, "Output clip: .mp4 (default <photo>.mp4), .webm, .gif or .mov");
  command->callback([options, seed, frames, fps, steps, cfg, width, height, &exitCode] {
    options->randomSeed = seed->count() == 0;
    options->cfgGiven = cfg->count() > 0;
    options->framesGiven = frames->count() > 0;
    options->fpsGiven = fps->count() > 0;
    options->stepsGiven = steps->count() > 0;
    options->sizeGiven = width->count() > 0 || height->count() > 0;
    exitCode = runAnimate(*options);
  });
}

}  // namespace lanterna::cli
