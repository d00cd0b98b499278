// AutoencoderTiny (TAESD, diffusers v0.25): a small conv-only VAE for fast previews. Layer indices follow the
// diffusers/madebyollin layouts (encoder.layers.N / decoder.layers.N), taken from the config's block lists.
//   AutoencoderTiny taesd = AutoencoderTiny::load(TinyVaeConfig::fromJson(json), weights);
//   at::Tensor image = taesd.decode(latents);   // pipeline latents (scaling_factor 1.0), image in [-1, 1]
// Internal to inference/. Read-only after loading.
#pragma once

#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "nn_ops.h"
#include "weights.h"

namespace lanterna::inference {

struct TinyVaeConfig {
  int64_t inChannels = 3;
  int64_t outChannels = 3;
  std::vector<int64_t> encoderChannels{64, 64, 64, 64};
  std::vector<int64_t> decoderChannels{64, 64, 64, 64};
  std::vector<int64_t> encoderBlocks{1, 3, 3, 3};
  std::vector<int64_t> decoderBlocks{3, 3, 3, 1};
  int64_t latentChannels = 4;
  double latentMagnitude = 3;
  static TinyVaeConfig fromJson(const nlohmann::json& config);
};

class AutoencoderTiny {
 public:
  static AutoencoderTiny load(const TinyVaeConfig& config, const Weights& weights);
  at::Tensor encode(const at::Tensor& image) const;   // [-1, 1] -> latents
  at::Tensor decode(const at::Tensor& latent) const;  // latents -> [-1, 1] (not clamped)
  at::ScalarType dtype() const { return encoderLayers_.front().conv.weight.scalar_type(); }
  at::Device device() const { return encoderLayers_.front().conv.weight.device(); }

 private:
  struct Block {  // conv-relu-conv-relu-conv + skip, then ReLU
    Conv2d conv0, conv2, conv4, skip;
    bool hasSkip = false;
    at::Tensor operator()(const at::Tensor& x) const;
  };
  enum class Op { Conv, ConvRelu, Block, Upsample };
  struct Layer {
    Op op;
    Conv2d conv;
    Block block;
  };
  static at::Tensor run(const std::vector<Layer>& layers, at::Tensor x);

  TinyVaeConfig config_;
  std::vector<Layer> encoderLayers_, decoderLayers_;
};

}  // namespace lanterna::inference
