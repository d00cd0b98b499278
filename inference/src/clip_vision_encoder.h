// CLIP vision tower with projection (Hugging Face CLIPVisionModelWithProjection names, as SVD's image_encoder):
// patch embedding + class token + positions, pre-LN, pre-LN encoder layers (quick_gelu), post-LN on the class token,
// visual projection. Internal to inference/. Read-only after loading; forward() may run on several threads.
//   ClipVisionEncoder enc = ClipVisionEncoder::load(ClipVisionConfig::fromJson(json), weights);
//   ClipVisionOutput out = enc.forward(pixels);   // pixels (B, 3, S, S), already CLIP-normalised
//   at::Tensor context = out.imageEmbeds.unsqueeze(1);   // SVD's encoder_hidden_states
#pragma once

#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "nn_ops.h"
#include "weights.h"

namespace lanterna::inference {

struct ClipVisionConfig {
  int64_t hiddenSize = 1280;
  int64_t intermediateSize = 5120;
  int64_t layers = 32;
  int64_t heads = 16;
  int64_t imageSize = 224;
  int64_t patchSize = 14;
  int64_t projectionDim = 1024;
  int64_t channels = 3;
  double layerNormEps = 1e-5;
  bool quickGelu = false;  // ViT-H (SVD) uses exact gelu; OpenAI ViT-L uses quick_gelu

  static ClipVisionConfig fromJson(const nlohmann::json& json);
};

struct ClipVisionOutput {
  at::Tensor lastHiddenState;  // (B, 1 + patches, hidden)
  at::Tensor pooled;           // post_layernorm(class token)
  at::Tensor imageEmbeds;      // visual_projection(pooled)
};

class ClipVisionEncoder {
 public:
  static ClipVisionEncoder load(const ClipVisionConfig& config, const Weights& weights);
  ClipVisionOutput forward(const at::Tensor& pixels) const;
  const ClipVisionConfig& config() const { return config_; }
  at::ScalarType dtype() const { return patchWeight_.scalar_type(); }
  at::Device device() const { return patchWeight_.device(); }

 private:
  struct Layer {
    LayerNorm norm1, norm2;
    Linear q, k, v, out, fc1, fc2;
  };
  ClipVisionConfig config_;
  at::Tensor patchWeight_, classEmbedding_, positions_;
  LayerNorm preNorm_, postNorm_;
  std::vector<Layer> layers_;
  Linear projection_;
};

// SVD's image preprocessing, after resizing to imageSize: [-1, 1] RGB -> CLIP-normalised pixels.
at::Tensor clipNormalize(const at::Tensor& imageMinusOneToOne);

}  // namespace lanterna::inference
