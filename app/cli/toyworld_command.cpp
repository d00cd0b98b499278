// `lanterna-cli eval-toyworld [--model toyworld] [--samplers euler,euler_a] [--steps 10,20] [--prompts 20]`:
// the semantic score of a toy-world model per sampler and step count (the table in docs/models/toyworld.md).
#include <QString>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "lanterna/app/model_library.h"
#include "lanterna/app/toyworld_score.h"
#include "lanterna/inference/engine.h"

namespace lanterna::cli {
namespace {

struct EvalOptions {
  std::string model = "toyworld";
  std::vector<std::string> samplers{"euler", "euler_a", "dpmpp_2m"};
  std::vector<int> steps{10, 20};
  app::ToyworldEvalOptions eval;
};

int runEval(const EvalOptions& options) {
  auto path = app::ModelLibrary::fromSettings().resolve(QString::fromStdString(options.model));
  if (!path) return reportError(path.error());
  auto engine = inference::Engine::open(path->toStdString());
  if (!engine) return reportError(engine.error());
  std::printf("%-16s %5s  %-18s %-12s %s\n", "sampler", "steps", "held-out shape", "all shapes", "s/image");
  for (const auto& sampler : options.samplers) {
    for (int steps : options.steps) {
      app::ToyworldEvalOptions eval = options.eval;
      eval.sampler = sampler;
      eval.steps = steps;
      const auto started = std::chrono::steady_clock::now();
      auto score = app::scoreToyworld(*engine, eval);
      if (!score) return reportError(score.error());
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      char held[32], all[32];
      std::snprintf(held, sizeof held, "%d/%d (%.0f%%)", score->passed, score->total, 100 * score->fraction());
      std::snprintf(all, sizeof all, "%d/%d", score->allShapesPassed, score->total);
      std::printf("%-16s %5d  %-18s %-12s %.2f\n", sampler.c_str(), steps, held, all,
                  seconds / std::max(1, score->total));
      std::fflush(stdout);
    }
  }
  return kExitOk;
}

}  // namespace

void addToyworldCommands(CLI::App& app, int& exitCode) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App* eval = app.add_subcommand("eval-toyworld", "Score a toy-world model on the held-out prompts");
  eval->add_option("--model", options->model, "Model name or path (default: the bundled toyworld)");
  eval->add_option("--samplers", options->samplers, "Samplers to score")->delimiter(',');
  eval->add_option("--steps", options->steps, "Step counts to score")->delimiter(',');
  eval->add_option("--prompts", options->eval.prompts, "Held-out prompts per setting")->check(CLI::Range(1, 1000));
  eval->add_option("--cfg", options->eval.cfgScale, "Classifier-free guidance scale");
  eval->add_option("--seed", options->eval.seed, "Seed of the first prompt");
  eval->callback([options, &exitCode] { exitCode = runEval(*options); });
}

}  // namespace lanterna::cli
