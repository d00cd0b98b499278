// `lanterna-cli eval-toyworld [--model toyworld] [--samplers euler,euler_a] [--steps 10,20] [--prompts 20]
// [--clips text|image]`: the semantic score of a toy-world model per sampler and step count (the tables in
// docs/models/toyworld.md); --clips scores held-out clips instead: text-to-video, or image-to-video from each clip's
// first frame (the motion seen, and whether the first frame is kept; for text-to-video, whether the first frame the
// image model drew shows the prompt).
// Diagnosis: --split train scores prompts of the training split (with --world-seed S, exactly the ones a run with
// --seed S trained on; --counterparts: their first frames moving another way), --truth scores the world's own
// renders (the detector's ceiling), --init-strength S starts each image from that render (S = 0.05: what survives
// the VAE), --save DIR writes every image as DIR/<sampler>-<steps>-<i>.png.
#include <QDir>
#include <QString>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "lanterna/app/image_convert.h"
#include "lanterna/app/model_library.h"
#include "lanterna/app/toyworld_score.h"
#include "lanterna/inference/engine.h"

namespace lanterna::cli {
namespace {

struct EvalOptions {
  std::string model = "toyworld";
  std::vector<std::string> samplers{"euler", "euler_a", "dpmpp_2m"};
  std::vector<int> steps{10, 20};
  std::string split = "heldout";
  bool truth = false;
  std::string saveDir;
  std::string clips;  // empty: images; "text" or "image": clips from the caption or from the first frame
  bool cfgGiven = false;  // else the model's recommended guidance
  app::ToyworldEvalOptions eval;
};

void printRow(const std::string& sampler, int steps, const app::ToyworldScore& score, double seconds) {
  char held[32], all[32];
  std::snprintf(held, sizeof held, "%d/%d (%.0f%%)", score.passed, score.total, 100 * score.fraction());
  std::snprintf(all, sizeof all, "%d/%d", score.allShapesPassed, score.total);
  std::printf("%-16s %5d  %-18s %-12s %.2f\n", sampler.c_str(), steps, held, all, seconds / std::max(1, score.total));
  std::fflush(stdout);
}

void printClipRow(const std::string& sampler, int steps, const app::ToyworldClipScore& score, bool firstFrame,
                  double seconds) {
  char moved[32], kept[48] = "-";
  std::snprintf(moved, sizeof moved, "%d/%d (%.0f%%)", score.moved, score.total, 100 * score.movedFraction());
  if (firstFrame)
    std::snprintf(kept, sizeof kept, "%d/%d (mean %.1f dB)", score.keptFirstFrame, score.total,
                  score.meanFirstFramePsnr);
  else
    std::snprintf(kept, sizeof kept, "%d/%d", score.firstFrameAsPrompted, score.total);
  std::printf("%-16s %5d  %-18s %-24s %.2f\n", sampler.c_str(), steps, moved, kept, seconds / std::max(1, score.total));
  std::fflush(stdout);
}

// One line per saved image or clip: its verdict, where it went, and what was seen instead when it missed.
void printVerdict(bool passed, const std::string& where, const std::string& prompt, const std::string& reason) {
  std::printf("  %s %s  \"%s\"%s%s\n", passed ? "ok  " : "miss", where.c_str(), prompt.c_str(), passed ? "" : ": ",
              reason.c_str());
}

Status savePngTo(const inference::Image& image, const std::string& path, const std::string& prompt) {
  return app::savePng(app::toQImage(image), QString::fromStdString(path), QString::fromStdString(prompt));
}

int saveImages(const std::string& dir, const std::string& tag, const app::ToyworldScore& score) {
  QDir().mkpath(QString::fromStdString(dir));
  for (std::size_t i = 0; i < score.results.size(); ++i) {
    const auto& r = score.results[i];
    const std::string path = dir + "/" + tag + "-" + std::to_string(i) + ".png";
    if (Status saved = savePngTo(r.image, path, r.prompt); !saved) return reportError(saved.error());
    printVerdict(r.passed, path, r.prompt, r.reason);
  }
  return kExitOk;
}

int saveClips(const std::string& dir, const std::string& tag, const app::ToyworldClipScore& score) {
  QDir().mkpath(QString::fromStdString(dir));
  for (std::size_t i = 0; i < score.results.size(); ++i) {
    const auto& r = score.results[i];
    const std::string stem = dir + "/" + tag + "-" + std::to_string(i);
    for (std::size_t f = 0; f < r.frames.size(); ++f)
      if (Status saved = savePngTo(r.frames[f], stem + "-" + std::to_string(f) + ".png", r.prompt); !saved)
        return reportError(saved.error());
    // A text-to-video miss says whether its keyframe already missed the prompt.
    const std::string keyframe = r.firstFrameAsPrompted ? "" : " (first frame: " + r.firstFrameReason + ")";
    printVerdict(r.moved, stem + "-*.png", r.prompt, r.reason + keyframe);
  }
  return kExitOk;
}

// Scores every sampler x step count: score(eval) gives a Result, report(eval, score, seconds) prints and saves it.
template <typename Score, typename Report>
int forEachSetting(const EvalOptions& options, Score&& score, Report&& report) {
  for (const auto& sampler : options.samplers) {
    for (int steps : options.steps) {
      app::ToyworldEvalOptions eval = options.eval;
      eval.sampler = sampler;
      eval.steps = steps;
      const auto started = std::chrono::steady_clock::now();
      auto scored = score(eval);
      if (!scored) return reportError(scored.error());
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (int reported = report(eval, *scored, seconds); reported != kExitOk) return reported;
    }
  }
  return kExitOk;
}

std::string tagOf(const app::ToyworldEvalOptions& eval) { return eval.sampler + "-" + std::to_string(eval.steps); }

int runClipEval(inference::Engine& engine, const EvalOptions& options) {
  const bool firstFrame = options.clips == "image";
  std::printf("%-16s %5s  %-18s %-24s %s\n", "sampler", "steps", "moved as prompted",
              firstFrame ? "first frame >= 25 dB" : "first frame as prompted", "s/clip");
  return forEachSetting(
      options,
      [&](const app::ToyworldEvalOptions& eval) {
        return app::scoreToyworldClips(engine, eval, firstFrame ? app::ClipSource::FirstFrame : app::ClipSource::Text);
      },
      [&](const app::ToyworldEvalOptions& eval, const app::ToyworldClipScore& score, double seconds) {
        printClipRow(eval.sampler, eval.steps, score, firstFrame, seconds);
        return options.saveDir.empty() ? kExitOk : saveClips(options.saveDir, tagOf(eval), score);
      });
}

int runImageEval(inference::Engine& engine, const EvalOptions& options) {
  return forEachSetting(
      options, [&](const app::ToyworldEvalOptions& eval) { return app::scoreToyworld(engine, eval); },
      [&](const app::ToyworldEvalOptions& eval, const app::ToyworldScore& score, double seconds) {
        printRow(eval.sampler, eval.steps, score, seconds);
        return options.saveDir.empty() ? kExitOk : saveImages(options.saveDir, tagOf(eval), score);
      });
}

void printImageHeader(const EvalOptions& options) {
  std::printf("%-16s %5s  %-18s %-12s %s\n", "sampler", "steps", options.eval.heldOut ? "held-out shape" : "first shape",
              "all shapes", "s/image");
}

int runEval(EvalOptions options) {
  options.eval.heldOut = options.split != "train";
  if (options.truth) {
    printImageHeader(options);
    auto score = app::scoreToyworldTruth(options.eval);
    if (!score) return reportError(score.error());
    printRow("ground-truth", 0, *score, 0.0);
    return options.saveDir.empty() ? kExitOk : saveImages(options.saveDir, "truth", *score);
  }
  auto path = app::ModelLibrary::fromSettings().resolve(QString::fromStdString(options.model));
  if (!path) return reportError(path.error());
  auto engine = inference::Engine::open(path->toStdString());
  if (!engine) return reportError(engine.error());
  if (!options.cfgGiven) options.eval.cfgScale = engine->info().defaultCfgScale;
  std::printf("guidance %.1f\n", options.eval.cfgScale);
  if (!options.clips.empty()) return runClipEval(*engine, options);
  printImageHeader(options);
  return runImageEval(*engine, options);
}

}  // namespace

void addToyworldCommands(CLI::App& app, int& exitCode) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App* eval = app.add_subcommand("eval-toyworld", "Score a toy-world model on the held-out prompts");
  eval->add_option("--model", options->model, "Model name or path (default: the bundled toyworld)");
  eval->add_option("--samplers", options->samplers, "Samplers to score")->delimiter(',');
  eval->add_option("--steps", options->steps, "Step counts to score")->delimiter(',');
  eval->add_option("--prompts", options->eval.prompts, "Held-out prompts per setting")->check(CLI::Range(1, 1000));
  auto* cfg = eval->add_option("--cfg", options->eval.cfgScale, "Guidance scale (default: the model's recommendation)");
  eval->add_option("--seed", options->eval.seed, "Seed of the first prompt");
  eval->add_option("--split", options->split, "Prompts of the heldout (default) or train split")
      ->check(CLI::IsMember({"heldout", "train"}));
  eval->add_option("--world-seed", options->eval.worldSeed,
                   "Seed of the toy world the prompts come from (a training run's --seed gives the scenes it saw)");
  eval->add_flag("--truth", options->truth, "Score the toy world's own renders (the detector's ceiling)");
  eval->add_option("--init-strength", options->eval.initStrength,
                   "Start from the world's render at this img2img strength (0.05 with 20 steps: the VAE's ceiling)")
      ->check(CLI::Range(0.0, 1.0));
  eval->add_option("--clips", options->clips,
                   "Score held-out clips: text (text-to-video) or image (image-to-video from the clip's first frame)")
      ->check(CLI::IsMember({"text", "image"}));
  eval->add_flag("--counterparts", options->eval.counterparts,
                 "Score each clip's counterpart: its first frame moving another way (lanterna-train --paired-motions)");
  eval->add_option("--save", options->saveDir, "Write every image, named by sampler, steps and prompt index");
  eval->callback([options, cfg, &exitCode] {
    options->cfgGiven = cfg->count() > 0;
    exitCode = runEval(*options);
  });
}

}  // namespace lanterna::cli
