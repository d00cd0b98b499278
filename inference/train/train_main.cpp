// lanterna-train: trains Lanterna's bundled demo models on the toy world.
//   lanterna-train --stage vae --out runs/vae --steps 4000 --batch 8 --lr 1e-3 --seed 1 [--resume]
//                  [--checkpoint-every 500] [--log-every 10]
//   lanterna-train --write-tokenizer DIR      (the toy vocabulary in the Hugging Face CLIP format)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "toy_vocab.h"
#include "toy_world.h"
#include "trainer.h"

using namespace lanterna;
using namespace lanterna::toy;

namespace {

constexpr const char* kUsage =
    "usage: lanterna-train --stage vae|unet|motion --out DIR [--steps N] [--batch B] [--lr RATE] [--seed S]\n"
    "                      [--resume] [--checkpoint-every K] [--log-every L]\n"
    "       lanterna-train --write-tokenizer DIR\n";

int fail(const std::string& message) {
  std::fprintf(stderr, "lanterna-train: %s\n%s", message.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  TrainOptions options;
  std::string tokenizerDir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    try {
      if (arg == "--resume") { options.resume = Resume::Yes; continue; }
      if (arg == "--help" || arg == "-h") { std::fputs(kUsage, stdout); return 0; }
      if (!(v = value())) return fail(arg + " needs a value");
      if (arg == "--stage") options.stage = parseStage(v);
      else if (arg == "--out") options.outDir = v;
      else if (arg == "--steps") options.steps = std::stoll(v);
      else if (arg == "--batch") options.batch = std::stoll(v);
      else if (arg == "--lr") options.learningRate = std::stod(v);
      else if (arg == "--seed") options.seed = std::stoull(v);
      else if (arg == "--checkpoint-every") options.checkpointEvery = std::stoll(v);
      else if (arg == "--log-every") options.logEvery = std::stoll(v);
      else if (arg == "--write-tokenizer") tokenizerDir = v;
      else return fail("unknown option " + arg);
      if (arg == "--stage" && options.stage == Stage::Unset) return fail(std::string("unknown stage \"") + v + "\"");
    } catch (const std::exception&) {
      return fail("\"" + std::string(v) + "\" is not a number for " + arg);
    }
  }
  if (!tokenizerDir.empty()) {
    const Status written = writeToyTokenizer(tokenizerDir, buildToyVocabulary(ToyWorld::captionWords()));
    if (!written) return fail(written.error().message);
    std::printf("wrote the toy tokenizer to %s\n", tokenizerDir.c_str());
    return 0;
  }
  // No stage needs captions yet: the unet stage will pass the engine's CLIP tokenizer here.
  const auto report = runTraining(options, {}, [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  });
  if (!report) {
    std::fprintf(stderr, "lanterna-train: %s\n", report.error().message.c_str());
    return 1;
  }
  std::printf("trained steps %lld..%lld; last checkpoint %s\n", static_cast<long long>(report->startStep),
              static_cast<long long>(report->endStep), report->lastCheckpoint.string().c_str());
  return 0;
}
