// The only train file that needs torch's C++ frontend: torch::optim and its serialisation.
#include "trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include "checkpoint.h"

namespace lanterna::toy {
namespace {

Status validate(const TrainOptions& o) {
  auto refuse = [](const std::string& what) { return makeError(ErrorKind::InvalidArgument, what); };
  if (o.stage == Stage::Unset) return refuse("No training stage was given (use vae, text, unet or motion).");
  if (o.outDir.empty()) return refuse("No output folder was given.");
  if (o.steps < 1) return refuse("The number of steps must be at least 1.");
  if (o.batch < 1) return refuse("The batch size must be at least 1.");
  if (!(o.learningRate > 0) || !std::isfinite(o.learningRate)) return refuse("The learning rate must be positive.");
  if (o.checkpointEvery < 1 || o.logEvery < 1) return refuse("Checkpoint and log intervals must be at least 1.");
  if (o.motion.unetCrossAttentionOnly && !(o.motion.unetLearningRateScale > 0))
    return refuse("Training the UNet's cross-attention needs a UNet learning-rate share above 0 (--unet-lr-scale).");
  if (o.motion.highNoiseWeight != 0 && !(o.motion.highNoiseWeight >= 1))
    return refuse("The high-noise weight caps a weight of at least 1; it must be 1 or more, or 0 for none.");
  if (o.motion.firstFrameStills && !(o.motion.unetLearningRateScale > 0))
    return refuse("First-frame stills train the image UNet; they need a UNet learning-rate share above 0 "
                  "(--unet-lr-scale).");
  if (o.motion.firstFrameNoise != 0 && !(o.motion.givenFirstFrameShare > 0))
    return refuse("First-frame noise augments the given first frames; it needs --given-first-frame above 0.");
  if (o.motion.firstFrameNoise < 0 || o.motion.firstFrameNoise >= 1000)
    return refuse("The first-frame noise is a timestep from 0 to 999.");
  return Ok{};
}

LossChoices lossChoicesOf(const TrainOptions& o) {
  return {.minSnrGamma = o.minSnrGamma,
          .motionWeight = o.motion.motionWeight,
          .highNoiseWeight = o.motion.highNoiseWeight,
          .pairedMotions = o.motion.pairedMotions,
          .clipPool = o.motion.clipPool,
          .firstFrameStills = o.motion.firstFrameStills,
          .firstFrameNoise = o.motion.firstFrameNoise};
}

// A resumed run must be the same run: other data or settings would make its result unrepeatable.
Status checkSameRun(const TrainOptions& o, const CheckpointState& saved, const std::filesystem::path& dir) {
  std::string mismatch;
  if (saved.stage != stageName(o.stage)) mismatch = "stage " + saved.stage;
  else if (saved.seed != o.seed) mismatch = "seed " + std::to_string(saved.seed);
  else if (saved.batch != o.batch) mismatch = "batch " + std::to_string(saved.batch);
  else if (saved.learningRate != o.learningRate) mismatch = "learning rate " + std::to_string(saved.learningRate);
  else if (saved.unetLearningRateScale != o.motion.unetLearningRateScale)
    mismatch = "UNet learning-rate share " + std::to_string(saved.unetLearningRateScale);
  else if (saved.givenFirstFrameShare != o.motion.givenFirstFrameShare)
    mismatch = "given-first-frame share " + std::to_string(saved.givenFirstFrameShare);
  else if (saved.unetCrossAttentionOnly != o.motion.unetCrossAttentionOnly)
    mismatch = saved.unetCrossAttentionOnly ? "only the UNet's cross-attention trained" : "the whole UNet trained";
  else if (saved.firstFrameAttention != o.motion.firstFrameAttention)
    mismatch = saved.firstFrameAttention ? "first-frame attention" : "no first-frame attention";
  else if (const auto& c = saved.lossChoices; c) {
    const LossChoices now = lossChoicesOf(o);
    if (c->minSnrGamma != now.minSnrGamma) mismatch = "Min-SNR gamma " + std::to_string(c->minSnrGamma);
    else if (c->motionWeight != now.motionWeight) mismatch = "motion weight " + std::to_string(c->motionWeight);
    else if (c->highNoiseWeight != now.highNoiseWeight)
      mismatch = "high-noise weight " + std::to_string(c->highNoiseWeight);
    else if (c->pairedMotions != now.pairedMotions) mismatch = c->pairedMotions ? "paired motions" : "unpaired motions";
    else if (c->clipPool != now.clipPool) mismatch = "clip pool " + std::to_string(c->clipPool);
    else if (c->firstFrameStills != now.firstFrameStills)
      mismatch = c->firstFrameStills ? "first-frame stills" : "no first-frame stills";
    else if (c->firstFrameNoise != now.firstFrameNoise)
      mismatch = "first-frame noise up to timestep " + std::to_string(c->firstFrameNoise);
  }
  if (mismatch.empty()) return Ok{};
  return makeError(ErrorKind::InvalidArgument,
                   "Cannot resume from \"" + dir.string() + "\": it was trained with " + mismatch +
                       "; pass the same settings or start a new output folder.", dir);
}

std::string formatDuration(double seconds) {
  const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
  return text;
}

std::uint64_t stepSeed(std::uint64_t seed, std::int64_t step) {
  return seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(step);
}

Result<TrainReport> train(const TrainOptions& o, const Tokenize& tokenize, const ProgressSink& progress) {
  // 1. Model, initialised from the seed so a run repeats.
  const bool cuda = o.device == ComputeDevice::Cuda;
  if (cuda && !at::hasCUDA())
    return makeError(ErrorKind::FeatureUnsupported, "--device cuda: this LibTorch has no CUDA support or no GPU.");
  if (cuda) {  // TF32 matmuls: ample precision for training, several times faster on Ampere and later
    at::globalContext().setAllowTF32CuBLAS(true);
    at::globalContext().setAllowTF32CuDNN(true);
    at::globalContext().setBenchmarkCuDNN(true);
  }
  at::manual_seed(o.seed);
  StageInputs inputs{cuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU), o.vaeRun, tokenize};
  inputs.outDir = o.outDir;
  inputs.seed = o.seed;
  inputs.cacheScenes = o.cacheScenes;
  inputs.cacheClips = o.cacheClips;
  inputs.singleShapeSteps = o.singleShapeSteps;
  inputs.minSnrGamma = o.minSnrGamma;
  inputs.initFrom = o.initFrom;
  inputs.textEncoderRun = o.textEncoderRun;
  inputs.motion = o.motion;
  inputs.log = progress;
  auto model = makeStageModel(o.stage, inputs);
  if (!model) return model.error();
  const NamedTensors parameters = (*model)->namedParameters();
  // One optimizer group per learning-rate share, in the order the shares first appear.
  std::vector<double> groupScales;
  std::vector<std::vector<torch::Tensor>> groupTensors;
  for (const auto& [name, tensor] : parameters) {
    const double scale = (*model)->learningRateScale(name);
    auto found = std::find(groupScales.begin(), groupScales.end(), scale);
    if (found == groupScales.end()) {
      groupScales.push_back(scale);
      groupTensors.emplace_back();
      found = groupScales.end() - 1;
    }
    groupTensors[static_cast<std::size_t>(found - groupScales.begin())].push_back(tensor);
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  for (std::size_t g = 0; g < groupScales.size(); ++g)
    groups.emplace_back(groupTensors[g],
                        std::make_unique<torch::optim::AdamOptions>(o.learningRate * groupScales[g]));
  torch::optim::Adam optimizer(std::move(groups), torch::optim::AdamOptions(o.learningRate));

  // 2. Resume: weights, optimizer moments and the step come back exactly as saved.
  TrainReport report;
  if (o.resume == Resume::Yes) {
    auto dir = latestCheckpoint(o.outDir);
    if (!dir) return dir.error();
    auto saved = readCheckpointState(*dir);
    if (!saved) return saved.error();
    if (Status same = checkSameRun(o, *saved, *dir); !same) return same.error();
    if (Status loaded = loadCheckpointWeights(*dir, parameters); !loaded) return loaded.error();
    torch::load(optimizer, (*dir / kOptimizerFile).string());
    report.startStep = saved->step;
    report.lastCheckpoint = *dir;
  }
  report.endStep = report.startStep;

  // 3. Loop; the data of step s depends on (seed, s) only.
  const ToyDataset data(o.seed, Split::Train, tokenize);
  auto save = [&](std::int64_t step, double loss) -> Status {
    const auto dir = checkpointDir(o.outDir, step);
    const CheckpointState state{.stage = stageName(o.stage),
                                .step = step,
                                .seed = o.seed,
                                .batch = o.batch,
                                .learningRate = o.learningRate,
                                .unetLearningRateScale = o.motion.unetLearningRateScale,
                                .givenFirstFrameShare = o.motion.givenFirstFrameShare,
                                .unetCrossAttentionOnly = o.motion.unetCrossAttentionOnly,
                                .firstFrameAttention = o.motion.firstFrameAttention,
                                .lossChoices = lossChoicesOf(o),
                                .loss = loss};
    if (Status saved = saveCheckpoint(dir, parameters, state); !saved) return saved;
    torch::save(optimizer, (dir / kOptimizerFile).string());
    report.lastCheckpoint = dir;
    return markLatest(o.outDir, dir, step);
  };
  const auto started = std::chrono::steady_clock::now();
  for (std::int64_t step = report.startStep + 1; step <= o.steps; ++step) {
    at::manual_seed(stepSeed(o.seed, step));
    const ToyBatch batch = (*model)->batch(data, step - 1, o.batch);
    for (std::size_t g = 0; g < groupScales.size(); ++g)
      static_cast<torch::optim::AdamOptions&>(optimizer.param_groups()[g].options())
          .lr(learningRateAt(o, step) * groupScales[g]);
    optimizer.zero_grad();
    at::Tensor loss = (*model)->loss(batch);
    loss.backward();
    optimizer.step();
    const float value = loss.item<float>();
    if (!std::isfinite(value))
      return makeError(ErrorKind::Internal, "Training diverged at step " + std::to_string(step) +
                                                " (loss is not finite); lower --lr. The last checkpoint is kept.");
    report.losses.push_back(value);
    report.endStep = step;
    if (step % o.checkpointEvery == 0 || step == o.steps)
      if (Status saved = save(step, value); !saved) return saved.error();
    if (progress && (step % o.logEvery == 0 || step == o.steps)) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const std::string note = (*model)->diagnostics();
      progress(formatProgress(step, o.steps, value, static_cast<double>(report.losses.size()) / seconds) +
               (note.empty() ? "" : "  " + note));
    }
  }
  if (Status finished = (*model)->finish(o.outDir); !finished) return finished.error();
  for (const auto& [name, tensor] : parameters) report.parameters.emplace_back(name, tensor.detach().cpu().clone());
  return report;
}

}  // namespace

double learningRateAt(const TrainOptions& o, std::int64_t step) {
  if (o.warmupSteps > 0 && step <= o.warmupSteps)
    return o.learningRate * static_cast<double>(step) / static_cast<double>(o.warmupSteps);
  if (!o.cosineDecay || o.steps <= o.warmupSteps) return o.learningRate;
  constexpr double kFloor = 0.1;
  const double progress = static_cast<double>(step - o.warmupSteps) / static_cast<double>(o.steps - o.warmupSteps);
  return o.learningRate * (kFloor + (1 - kFloor) * 0.5 * (1 + std::cos(progress * 3.14159265358979323846)));
}

std::string formatProgress(std::int64_t step, std::int64_t total, double loss, double itemsPerSecond) {
  char text[160];
  const double eta = itemsPerSecond > 0 ? static_cast<double>(total - step) / itemsPerSecond : 0.0;
  std::snprintf(text, sizeof text, "step %lld/%lld  loss %.4f  %.1f it/s  ETA %s", static_cast<long long>(step),
                static_cast<long long>(total), loss, itemsPerSecond, formatDuration(eta).c_str());
  return text;
}

Result<TrainReport> runTraining(const TrainOptions& options, const Tokenize& tokenize, const ProgressSink& progress) {
  if (Status valid = validate(options); !valid) return valid.error();
  try {
    return train(options, tokenize, progress);
  } catch (const c10::Error& e) {
    // msg() without the C++ backtrace that what() carries.
    return makeError(ErrorKind::Internal, "Training failed: " + e.msg(), options.outDir);
  } catch (const std::exception& e) {
    return makeError(ErrorKind::Internal, std::string("Training failed: ") + e.what(), options.outDir);
  }
}

}  // namespace lanterna::toy
