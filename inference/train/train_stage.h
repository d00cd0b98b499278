// What differs between training stages: the trainable parameters, and the loss of one batch. The loop, the
// optimizer, checkpoints and resume (trainer.cpp) are shared. Each stage holds the engine's own class (AutoencoderKL,
// UNet2DCondition + ClipTextEncoder) built over fresh requires_grad tensors, so what is trained is what ships.
//   vae:  reconstruction (L1 + L2, shapes and their outlines weighted) + a small KL; finish() writes vae_config.json
//         with the latent scaling factor. From a trained VAE: its decoder only.
//   text: the text encoder alone learns what each caption token describes (caption_targets.h); heads dropped after.
//   unet: epsilon-prediction MSE on scaled VAE latents (from a latent cache), text encoder trained jointly, 10% empty
//         captions.
//   motion: the same loss on 8-16 frame clips through UNetMotion; the motion adapter trains, and optionally the image
//         UNet with it (on clips and stills); the text encoder and VAE stay frozen.
// Internal to inference/train. One thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "lanterna/result.h"
#include "toy_dataset.h"

namespace lanterna::inference {
class AutoencoderKL;
}

namespace lanterna::toy {

enum class Stage { Unset, Vae, Text, Unet, Motion };
enum class ComputeDevice { Cpu, Cuda };

// Written by the vae stage beside its checkpoints: vae/config.json of the exported model, scaling factor filled in.
constexpr const char* kVaeConfigFile = "vae_config.json";

const char* stageName(Stage stage);
Stage parseStage(const std::string& name);  // Unset when unknown

class StageModel {
 public:
  virtual ~StageModel() = default;
  // Ordered and named as they are saved: the optimizer state follows this order.
  virtual std::vector<std::pair<std::string, at::Tensor>> namedParameters() = 0;
  // What the stage trains on at this step (images, clips, captions).
  virtual ToyBatch batch(const ToyDataset& data, std::int64_t step, std::int64_t batchSize) = 0;
  // Scalar loss with a graph back to the parameters.
  virtual at::Tensor loss(const ToyBatch& batch) = 0;
  // A short note appended to the progress line (e.g. how much the caption helps); empty for none. May reseed ATen.
  virtual std::string diagnostics() { return {}; }
  // The share of the run's learning rate a parameter trains at (1 for most).
  virtual double learningRateScale(const std::string& name) const { (void)name; return 1.0; }
  // After the last step, with the parameters as saved: what else the stage leaves in outDir.
  virtual Status finish(const std::filesystem::path& outDir) { (void)outDir; return Ok{}; }
};

// The motion stage's own settings, set once by lanterna-train and handed through TrainOptions and StageInputs whole.
struct MotionStageOptions {
  // > 0 trains the image UNet with the adapter, at this share of the learning rate, on still scenes as well as
  // clips so it keeps drawing stills; 0 keeps it frozen
  double unetLearningRateScale = 0;
  // With a UNet share, train only the UNet's cross-attention keys and values (attn2.to_k, attn2.to_v): the image
  // model learnt to read no motion words from its still captions, and these are the weights that let it, at a small
  // share of the full UNet's gradient cost
  bool unetCrossAttentionOnly = false;
  // > 0 weights each latent pixel's loss by 1 + K x how far it strays from its clip's mean over time, so the pixels
  // that carry the motion are not drowned by the static background the image model already draws
  double motionWeight = 0;
  // The share of clips whose first frame is given clean, at timestep 0, and left out of the loss: the
  // image-to-video conditioning of adapters that declare it (MotionAdapterConfig::cleanFirstFrame)
  double givenFirstFrameShare = 0;
  // > 0 draws every clip from the first N training clips (batch-sized groups), so a run can check that the adapter
  // learns those clips' motions at all (eval-toyworld --split train --world-seed SEED --prompts N scores them)
  std::int64_t clipPool = 0;
  // Every second clip of a batch is the counterpart of the one before (ToyWorld::counterpart): the same first frame
  // moving another way, so the caption, not the picture, has to say where the shape goes
  bool pairedMotions = false;
  // > 1 weights each clip's loss by highNoiseClipWeights (up to W): which way a shape goes is decided at high noise,
  // where the noise-prediction error sees the clean clip's error only at the SNR's scale
  double highNoiseWeight = 0;
  // Start from the motion adapter of the --init-from model instead of a fresh one: a finished run trained further,
  // at a rate of its own (a fresh optimizer; resuming a run keeps its checkpoint's weights either way)
  bool continueAdapter = false;
  // With a UNet share, the clips' first frames are trained as stills too, with their clip captions: text-to-video
  // draws its first frame from a caption with motion words, which the stills' scene captions never have
  bool firstFrameStills = false;
  // Every frame's spatial self-attention also reads its clip's first frame (inference::FrameAnchor), so the given
  // image-to-video frame reaches the pixels its shape moves to; the exported adapter declares it
  bool firstFrameAttention = false;
  // > 0 noises each given first frame to a timestep drawn from 0..T (and tells the UNet that timestep), as video
  // models augment their conditioning image: the adapter then leans less on the exact pixels of the frame it is
  // given, which in text-to-video is the image model's picture, not a render like those it trained on
  std::int64_t firstFrameNoise = 0;
};

struct StageInputs {
  at::Device device = at::kCPU;
  // unet stage: the vae stage's output folder (latest checkpoint + vae_config.json); vae stage: a trained VAE whose
  // decoder is trained further, its encoder frozen
  std::filesystem::path vaeRun;
  Tokenize tokenize;             // unet stage: captions to ids (the empty caption is the unconditional prompt)
  std::filesystem::path outDir;  // unet stage: keeps its latent cache here (kLatentCacheFile)
  std::uint64_t seed = 0;
  std::int64_t cacheScenes = 4096;    // unet stage: scenes rendered and encoded once; 0 renders every batch afresh
  std::int64_t cacheClips = 0;        // unet stage: clip frames with their clip captions, cached after the scenes
  std::int64_t singleShapeSteps = 0;  // unet stage curriculum: the first N steps see one-shape scenes only
  double minSnrGamma = 0;             // unet, motion: > 0 weights the loss by min(SNR, gamma) / SNR (Min-SNR)
  std::filesystem::path initFrom;     // unet: start from this exported model's weights; motion: the model animated
  std::filesystem::path textEncoderRun;  // unet: a text stage run whose encoder is loaded and kept frozen
  MotionStageOptions motion;
  std::function<void(const std::string&)> log;
};

// How a motion run that trains the image UNet too names that UNet's tensors in its checkpoints (export strips it).
constexpr const char* kMotionRunUnetPrefix = "unet.";
// A diffusers component folder's weights file (unet/, vae/, motion_adapter/).
constexpr const char* kDiffusersWeights = "diffusion_pytorch_model.safetensors";

// The schedule's signal-to-noise ratio per timestep [T]: alphaCumprod / (1 - alphaCumprod).
at::Tensor signalToNoise(const at::Tensor& alphasCumprod);

// The epsilon-prediction loss of a batch (images [B, C, H, W] or clips [B, C, F, H, W]). With minSnrGamma > 0 each
// sample is weighted by min(SNR, gamma) / SNR (Min-SNR, Hang et al. 2023): low-noise steps, whose SNR is huge and
// whose work is only local clean-up, stop dominating the layout decided at high noise.
// A defined pixelWeights (broadcast to the error's shape, mean 1) weights the squared error of each element.
at::Tensor noisePredictionLoss(const at::Tensor& predicted, const at::Tensor& noise, const at::Tensor& alphasCumprod,
                               const at::Tensor& timesteps, double minSnrGamma, const at::Tensor& pixelWeights = {});

// Per-sample weights [B] for the noise-prediction loss: clamp(1 / SNR(t), 1, maxWeight), divided by their mean over
// the whole schedule so the loss keeps its scale. Up to the cap this scores the predicted clean sample rather than
// the noise at the steps where SNR < 1, and leaves the low-noise steps' noise error as it was.
at::Tensor highNoiseClipWeights(const at::Tensor& alphasCumprod, const at::Tensor& timesteps, double maxWeight);

// Where a trained VAE lies: a vae stage run (latest checkpoint + vae_config.json), or a diffusers vae folder
// (config.json + diffusion_pytorch_model.safetensors), e.g. the shipped model's, so a UNet can be retrained on it.
struct VaeFiles {
  std::filesystem::path weights;
  std::filesystem::path config;
};
Result<VaeFiles> findTrainedVae(const std::filesystem::path& run);
Result<inference::AutoencoderKL> loadTrainedVae(const std::filesystem::path& run, at::Device device);

// Parameters are initialised from the current ATen seed. Stages not written yet (motion) say so.
Result<std::unique_ptr<StageModel>> makeStageModel(Stage stage, const StageInputs& inputs);

Result<std::unique_ptr<StageModel>> makeVaeStage(const StageInputs& inputs);            // vae_stage.cpp
Result<std::unique_ptr<StageModel>> makeTextStage(const StageInputs& inputs);           // text_stage.cpp
Result<std::unique_ptr<StageModel>> makeUNetStage(const StageInputs& inputs);           // unet_stage.cpp
Result<std::unique_ptr<StageModel>> makeMotionStage(const StageInputs& inputs);         // motion_stage.cpp

// 1/std of the VAE's latent means over a fixed set of training scenes: latents * factor have unit variance.
double measureLatentScale(const inference::AutoencoderKL& vae);

}  // namespace lanterna::toy
