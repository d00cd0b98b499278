// `lanterna-cli generate --model PATH|NAME --prompt TEXT ... --out OUT.png`: text-to-image and image-to-image;
// with --frames N > 1 (a video model: AnimateDiff, or --motion-module) a clip, --out OUT.mp4 (.webm, .gif, .mov).
#include <QDir>
#include <QFileInfo>

#include <csignal>
#include <random>
#include <iostream>

#include "clip_output.h"
#include "commands.h"
#include "lanterna/app/generation_parameters.h"
#include "lanterna/app/image_convert.h"
#include "lanterna/app/model_library.h"
#include "lanterna/app/project_store.h"
#include "lanterna/inference/engine.h"
#include "progress_bar.h"

namespace lanterna::cli {
namespace {

inference::CancelToken* gCancel = nullptr;
void onInterrupt(int) {
  if (gCancel) gCancel->cancel();
}

struct GenerateOptions {
  std::string model, out, previewDir, initImage, project, motionModule;
  inference::GenerationRequest request;
  bool randomSeed = true;
  bool sizeGiven = false;
  bool stepsGiven = false;
  bool cfgGiven = false;
};

class CliObserver : public inference::StepObserver {
 public:
  CliObserver(ProgressBar& bar, QString previewDir) : bar_(bar), previewDir_(std::move(previewDir)) {}
  void onStep(const inference::StepInfo& step) override {
    bar_.update(step.step, step.totalSteps, step.elapsedSeconds);
    if (!previewDir_.isEmpty() && !step.preview.empty())
      (void)app::savePng(app::toQImage(step.preview.front()),
                         QString("%1/step_%2.png").arg(previewDir_).arg(step.step, 3, 10, QChar('0')));
  }

 private:
  ProgressBar& bar_;
  QString previewDir_;
};

// With --project, the run is recorded in the project's history: running while it works (a crash leaves it to be
// marked interrupted on the next open), then done with the image imported as its output, or failed/cancelled.
class HistoryEntry {
 public:
  Status begin(const std::string& project, const inference::GenerationRequest& r, const std::string& model) {
    auto opened = app::ProjectStore::open(project);
    if (!opened) return opened.error();
    store_.emplace(std::move(*opened));
    app::GenerationRecord record;
    record.request = timeline::GenerationSettings{r.prompt, r.negativePrompt, model, r.sampler, r.steps, r.cfgScale,
                                                  static_cast<std::int64_t>(r.seed), true, r.width, r.height, r.frames};
    record.request.strength = r.initImage ? r.strength : 1.0;
    auto id = store_->addGeneration(record);
    if (!id) return id.error();
    id_ = *id;
    return store_->setGenerationStatus(id_, app::GenerationStatus::Running);
  }
  void fail(const Error& error) {
    if (!store_) return;
    const bool cancelled = error.kind == ErrorKind::Cancelled;
    (void)store_->setGenerationStatus(id_, cancelled ? app::GenerationStatus::Cancelled : app::GenerationStatus::Failed,
                                      error.message);
  }
  Status finish(const std::string& out, app::AssetKind kind) {
    if (!store_) return Ok{};
    auto asset = store_->importMedia(out, kind);
    if (!asset) return asset.error();
    if (auto outputs = store_->setGenerationOutputs(id_, {asset->id}); !outputs) return outputs;
    return store_->setGenerationStatus(id_, app::GenerationStatus::Done);
  }

 private:
  std::optional<app::ProjectStore> store_;
  app::GenerationId id_ = 0;
};

int runGenerate(const GenerateOptions& options) {
  inference::GenerationRequest request = options.request;
  if (options.randomSeed) request.seed = std::random_device{}() | (std::uint64_t(std::random_device{}()) << 32);
  if (!options.initImage.empty()) {
    auto image = app::loadImageFile(QString::fromStdString(options.initImage));
    if (!image) {
      std::cerr << image.error().message << "\n";
      return kExitBadInput;
    }
    request.initImage = std::move(*image);
  }
  auto modelPath = app::ModelLibrary::fromSettings().resolve(QString::fromStdString(options.model));
  if (!modelPath) {
    std::cerr << modelPath.error().message << "\n";
    return kExitBadInput;
  }
  inference::EngineOptions engineOptions;
  engineOptions.motionModule = options.motionModule;
  auto engine = inference::Engine::open(modelPath->toStdString(), engineOptions);
  if (!engine) {
    std::cerr << engine.error().message << "\n";
    return kExitBadInput;
  }
  // Without --width/--height the model's native size is used (128 for toyworld, 512 for SD1.x).
  if (!options.sizeGiven) {
    request.width = engine->info().defaultWidth;
    request.height = engine->info().defaultHeight;
  }
  // Likewise the model's recommended guidance and steps (toyworld: CFG 2), else SD's usual 7 and 20.
  if (!options.stepsGiven) request.steps = engine->info().defaultSteps;
  if (!options.cfgGiven) request.cfgScale = engine->info().defaultCfgScale;
  if (const std::string problem = inference::validateRequest(request, engine->info()); !problem.empty()) {
    std::cerr << problem << "\n";
    return kExitBadInput;
  }
  HistoryEntry history;
  if (!options.project.empty())
    if (auto recorded = history.begin(options.project, request, QFileInfo(*modelPath).fileName().toStdString());
        !recorded)
      return reportError(recorded.error());
  const QString previewDir = QString::fromStdString(options.previewDir);
  if (!previewDir.isEmpty()) QDir().mkpath(previewDir);

  inference::CancelToken cancel;
  gCancel = &cancel;
  std::signal(SIGINT, onInterrupt);
  ProgressBar bar("generating");
  CliObserver observer(bar, previewDir);
  auto output = engine->generate(request, &observer, cancel);
  gCancel = nullptr;
  if (!output) {
    bar.finish("");
    history.fail(output.error());
    std::cerr << output.error().message << "\n";
    return output.error().kind == ErrorKind::Cancelled ? kExitCancelled : kExitFailure;
  }
  const QString modelName = QFileInfo(*modelPath).completeBaseName();
  const QString parameters = app::formatParameters(request, modelName, {});
  const bool clip = request.frames > 1;
  const Status saved =
      clip ? writeClip(options.out, output->frames, request.fps, parameters.toStdString())
           : app::savePng(app::toQImage(output->frames.front()), QString::fromStdString(options.out), parameters);
  if (!saved) {
    history.fail(saved.error());
    std::cerr << saved.error().message << "\n";
    return kExitFailure;
  }
  if (const Status recorded = history.finish(options.out, clip ? app::AssetKind::Video : app::AssetKind::Image);
      !recorded) {
    history.fail(recorded.error());
    return reportError(recorded.error());
  }
  bar.finish("saved " + options.out + "  (seed " + std::to_string(request.seed) + ", " +
             std::to_string(output->seconds).substr(0, 5) + " s on " + output->device + ")");
  return kExitOk;
}

}  // namespace

void addGenerateCommands(CLI::App& app, int& exitCode) {
  auto options = std::make_shared<GenerateOptions>();
  auto* command = app.add_subcommand("generate", "Generate an image from a prompt (or from an init image)");
  auto& r = options->request;
  command->add_option("--model", options->model, "Model file, diffusers folder, or a name from the models folders")
      ->required();
  command->add_option("--prompt", r.prompt, "What to generate")->required();
  command->add_option("--negative", r.negativePrompt, "What to avoid");
  command->add_option("--sampler", r.sampler, "euler, euler_a, ddim, dpmpp_2m, dpmpp_2m_karras, lcm")
      ->capture_default_str();
  command->add_flag("--trailing", r.trailingSpacing, "Use 'trailing' timestep spacing");
  auto* steps = command->add_option("--steps", r.steps, "Denoising steps (default: the model's, else 20)");
  auto* cfg = command->add_option("--cfg", r.cfgScale, "Classifier-free guidance scale (default: the model's, else 7)");
  auto* seed = command->add_option("--seed", r.seed, "Seed (random when omitted)");
  auto* width = command->add_option("--width", r.width, "Width in pixels (multiple of 8; default: the model's)");
  auto* height = command->add_option("--height", r.height, "Height in pixels (multiple of 8; default: the model's)");
  command->add_option("--clip-skip", r.clipSkip, "1 = last CLIP layer, 2 = penultimate")->capture_default_str();
  command->add_option("--init-image", options->initImage, "Image to start from (image-to-image)");
  command->add_option("--strength", r.strength, "How much of the init image is replaced, 0..1")
      ->capture_default_str();
  command->add_option("--preview-dir", options->previewDir, "Write the live preview of every step here");
  command->add_option("--project", options->project, "Record the generation in this project's history");
  command->add_option("--frames", r.frames, "Frames: > 1 makes a clip (needs a video model)")->capture_default_str();
  command->add_option("--fps", r.fps, "Frames per second of a clip")->capture_default_str();
  command->add_option("--motion-module", options->motionModule, "AnimateDiff motion module for an SD 1.x model");
  command->add_option("--out", options->out, "Output PNG, or for a clip .mp4 (.webm, .gif, .mov)")->required();
  command->callback([options, seed, steps, cfg, width, height, &exitCode] {
    options->randomSeed = seed->count() == 0;
    options->stepsGiven = steps->count() > 0;
    options->cfgGiven = cfg->count() > 0;
    options->sizeGiven = width->count() > 0 || height->count() > 0;
    exitCode = runGenerate(*options);
  });
}

}  // namespace lanterna::cli
