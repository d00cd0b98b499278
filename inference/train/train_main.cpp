// lanterna-train: trains Lanterna's bundled demo models on the toy world.
//   lanterna-train --stage vae --out runs/vae --steps 4000 --batch 8 --lr 1e-3 --seed 1 [--resume]
//                  [--checkpoint-every 500] [--log-every 10] [--device cpu|cuda]
//   lanterna-train --stage vae --vae runs/vae --out runs/vae-decoder ...   (that VAE's decoder only, encoder frozen)
//   lanterna-train --stage text --out runs/text --steps 1500 --batch 64 --lr 2e-3   (captions only, minutes)
//   lanterna-train --stage unet --vae runs/vae [--text-encoder runs/text] --out runs/unet --steps 8000 [--cache-scenes 32768] [--warmup 200]
//                  [--cosine] [--single-shape-steps 1000] [--min-snr 5]
//                  [--init-from resources/models/toyworld] ...   (--vae may be a diffusers vae folder)
//   lanterna-train --stage motion --init-from resources/models/toyworld --out runs/motion [--unet-lr-scale 0.3]
//                  (the motion adapter; a scale > 0 trains the image UNet with it, on clips and stills)
//                  [--given-first-frame 1] [--motion-weight 4]   (clean first frames: image-to-video's conditioning;
//                  the pixels that change over a clip weighted up)
//                  [--continue-adapter]   (start from MODEL_DIR's motion adapter: a shipped adapter trained further)
//                  [--first-frame-stills]   (the clips' first frames trained as stills too, with their clip captions)
//                  [--first-frame-attention]   (each frame's self-attention also reads its clip's first frame)
//                  [--first-frame-noise 200]   (given first frames noised to a timestep up to T: robust conditioning)
//   lanterna-train --stage export --vae runs/vae --unet runs/unet --out resources/models/toyworld
//   lanterna-train --stage export-motion --out MODEL_DIR [--motion MOTION_RUN]   (none: a zero-initialised adapter)
//                  [--average-checkpoints 4]   (the mean of the run's last 4 checkpoints: smoother than the last)
//   lanterna-train --stage vae-check --vae VAE_RUN --out DIR [--steps SCENES]   (what the VAE keeps of each shape)
//   lanterna-train --write-tokenizer DIR      (the toy vocabulary in the Hugging Face CLIP format)
#include <cstdio>
#include <cstdlib>
#include <string>

#include <ATen/Parallel.h>

#include "lanterna/inference/engine.h"
#include "toy_export.h"
#include "toy_vocab.h"
#include "toy_world.h"
#include "trainer.h"
#include "vae_check.h"

using namespace lanterna;
using namespace lanterna::toy;

namespace {

constexpr const char* kUsage =
    "usage: lanterna-train --stage vae|text|unet|motion --out DIR [--vae VAE_RUN] [--steps N] [--batch B] [--lr RATE]\n"
    "                      [--seed S] [--resume] [--checkpoint-every K] [--log-every L] [--device cpu|cuda]\n"
    "                      [--warmup N] [--cosine] [--cache-scenes N] [--cache-clips N] [--single-shape-steps N]\n"
    "                      [--min-snr G] [--init-from MODEL_DIR] [--text-encoder TEXT_RUN|MODEL_DIR]\n"
    "                      [--unet-lr-scale S]\n"
    "                      [--unet-train all|cross-attention]\n"
    "                      [--motion-weight K] [--given-first-frame SHARE] [--clip-pool N]\n"
    "                      [--paired-motions] [--high-noise-weight W] [--continue-adapter] [--first-frame-stills]\n"
    "                      [--first-frame-attention] [--first-frame-noise T]\n"
    "       lanterna-train --stage export --vae VAE_RUN --unet UNET_RUN --out MODEL_DIR\n"
    "       lanterna-train --stage export-motion --out MODEL_DIR [--motion MOTION_RUN [--average-checkpoints N]]\n"
    "       lanterna-train --stage vae-check --vae VAE_RUN --out DIR [--steps SCENES]\n"
    "       lanterna-train --write-tokenizer DIR\n";

int fail(const std::string& message) {
  std::fprintf(stderr, "lanterna-train: %s\n%s", message.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // LibTorch starts with one intra-op thread on some machines: training would use one core of the machine.
  // OMP_NUM_THREADS, when set, wins (one thread avoids OpenMP's barrier spinning on a machine others share).
  at::set_num_threads(inference::defaultCpuThreads());
  TrainOptions options;
  std::string tokenizerDir;
  std::filesystem::path unetRun;
  std::filesystem::path motionRun;
  int averageCheckpoints = 1;  // export-motion: the mean of the run's last N checkpoints
  bool exportModel = false, exportMotion = false, vaeCheck = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    try {
      if (arg == "--resume") { options.resume = Resume::Yes; continue; }
      if (arg == "--cosine") { options.cosineDecay = true; continue; }
      if (arg == "--paired-motions") { options.motion.pairedMotions = true; continue; }
      if (arg == "--continue-adapter") { options.motion.continueAdapter = true; continue; }
      if (arg == "--first-frame-stills") { options.motion.firstFrameStills = true; continue; }
      if (arg == "--first-frame-attention") { options.motion.firstFrameAttention = true; continue; }
      if (arg == "--help" || arg == "-h") { std::fputs(kUsage, stdout); return 0; }
      if (!(v = value())) return fail(arg + " needs a value");
      if (arg == "--stage" && std::string(v) == "export") { exportModel = true; continue; }
      if (arg == "--stage" && std::string(v) == "export-motion") { exportMotion = true; continue; }
      if (arg == "--stage" && std::string(v) == "vae-check") { vaeCheck = true; continue; }
      if (arg == "--stage") options.stage = parseStage(v);
      else if (arg == "--vae") options.vaeRun = v;
      else if (arg == "--unet") unetRun = v;
      else if (arg == "--motion") motionRun = v;
      else if (arg == "--average-checkpoints") averageCheckpoints = std::stoi(v);
      else if (arg == "--device" && std::string(v) == "cpu") options.device = ComputeDevice::Cpu;
      else if (arg == "--device" && std::string(v) == "cuda") options.device = ComputeDevice::Cuda;
      else if (arg == "--device") return fail(std::string("unknown device \"") + v + "\" (cpu or cuda)");
      else if (arg == "--out") options.outDir = v;
      else if (arg == "--steps") options.steps = std::stoll(v);
      else if (arg == "--batch") options.batch = std::stoll(v);
      else if (arg == "--lr") options.learningRate = std::stod(v);
      else if (arg == "--seed") options.seed = std::stoull(v);
      else if (arg == "--checkpoint-every") options.checkpointEvery = std::stoll(v);
      else if (arg == "--log-every") options.logEvery = std::stoll(v);
      else if (arg == "--write-tokenizer") tokenizerDir = v;
      else if (arg == "--warmup") options.warmupSteps = std::stoll(v);
      else if (arg == "--cache-scenes") options.cacheScenes = std::stoll(v);
      else if (arg == "--cache-clips") options.cacheClips = std::stoll(v);
      else if (arg == "--single-shape-steps") options.singleShapeSteps = std::stoll(v);
      else if (arg == "--min-snr") options.minSnrGamma = std::stod(v);
      else if (arg == "--init-from") options.initFrom = v;
      else if (arg == "--text-encoder") options.textEncoderRun = v;
      else if (arg == "--unet-lr-scale") options.motion.unetLearningRateScale = std::stod(v);
      else if (arg == "--unet-train") {
        const std::string which = v;
        if (which != "all" && which != "cross-attention")
          return fail("unknown --unet-train \"" + which + "\" (all or cross-attention)");
        options.motion.unetCrossAttentionOnly = which == "cross-attention";
      }
      else if (arg == "--motion-weight") options.motion.motionWeight = std::stod(v);
      else if (arg == "--given-first-frame") options.motion.givenFirstFrameShare = std::stod(v);
      else if (arg == "--clip-pool") options.motion.clipPool = std::stoll(v);
      else if (arg == "--high-noise-weight") options.motion.highNoiseWeight = std::stod(v);
      else if (arg == "--first-frame-noise") options.motion.firstFrameNoise = std::stoll(v);
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
  if (exportModel) {
    if (options.vaeRun.empty() || unetRun.empty() || options.outDir.empty())
      return fail("--stage export needs --vae, --unet and --out");
    const Status exported = exportToyModel(options.vaeRun, unetRun, options.outDir);
    if (!exported) return fail(exported.error().message);
    std::printf("exported the toyworld model to %s\n", options.outDir.string().c_str());
    return 0;
  }
  if (vaeCheck) {
    if (options.vaeRun.empty() || options.outDir.empty()) return fail("--stage vae-check needs --vae and --out");
    const int scenes = options.steps == TrainOptions{}.steps ? 256 : static_cast<int>(options.steps);
    const auto check = checkToyVae(options.vaeRun, scenes, options.outDir, [](const std::string& line) {
      std::printf("%s\n", line.c_str());
    });
    if (!check) return fail(check.error().message);
    return 0;
  }
  if (exportMotion) {
    if (options.outDir.empty()) return fail("--stage export-motion needs --out MODEL_DIR");
    if (averageCheckpoints < 1 || (averageCheckpoints > 1 && motionRun.empty()))
      return fail("--average-checkpoints needs a count of 1 or more and --motion MOTION_RUN");
    const Status exported = exportToyMotionAdapter(motionRun, options.outDir, options.seed, averageCheckpoints);
    if (!exported) return fail(exported.error().message);
    std::printf("wrote %s motion adapter to %s/motion_adapter\n", motionRun.empty() ? "a zero-initialised" : "the trained",
                options.outDir.string().c_str());
    return 0;
  }
  Tokenize tokenize;
  if (options.stage != Stage::Vae && !options.outDir.empty()) {
    auto made = makeToyTokenize(options.outDir / "tokenizer");
    if (!made) return fail(made.error().message);
    tokenize = std::move(*made);
  }
  const auto report = runTraining(options, tokenize, [](const std::string& line) {
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
