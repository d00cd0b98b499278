// What differs between training stages: the trainable parameters, and the loss of one batch. The loop, the
// optimizer, checkpoints and resume (trainer.cpp) are shared. Filling in a stage once the engine classes exist:
//   1. hold the engine model (e.g. the UNet) and expose its parameters by their safetensors names;
//   2. write loss(): e.g. unet = noise-prediction MSE at a random timestep, vae = reconstruction + KL.
// Internal to inference/train. One thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "lanterna/result.h"
#include "toy_dataset.h"

namespace lanterna::toy {

enum class Stage { Unset, Vae, Unet, Motion };

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
};

// Parameters are initialised from the current ATen seed. Stages whose engine classes are not merged yet say so.
Result<std::unique_ptr<StageModel>> makeStageModel(Stage stage);

// TEMPORARY stand-in for the VAE (placeholder_autoencoder.cpp): proves the machinery, learns nothing useful.
std::unique_ptr<StageModel> makePlaceholderAutoencoder();

}  // namespace lanterna::toy
