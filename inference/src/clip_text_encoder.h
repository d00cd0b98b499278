// CLIP text transformer (Hugging Face CLIPTextModel / CLIPTextModelWithProjection key names), functional ATen ops
// over weights borrowed from a safetensors file. Usage:
//   auto config = ClipTextConfig::fromJson(hfConfigJson);
//   ClipTextEncoder encoder(config, Weights::load(file));    // keys "text_model.*", optional "text_projection.weight"
//   ClipTextOutput out = encoder.forward(ids);               // ids: int64 [batch, 77] on any device
//   at::Tensor context = out.lastHiddenState;                // SD1.x; SD2.x uses out.penultimateFinalLn
// Math runs in the weights' dtype and device (softmax and LayerNorm in float32 for half types). forward() is const
// and may be called from several threads.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "weights.h"

namespace lanterna::inference {

enum class ClipActivation { QuickGelu, Gelu };

struct ClipTextConfig {
  std::int64_t vocabSize = 49408;
  std::int64_t hiddenSize = 768;
  std::int64_t intermediateSize = 3072;
  std::int64_t numAttentionHeads = 12;
  std::int64_t numHiddenLayers = 12;
  std::int64_t maxPositionEmbeddings = 77;
  ClipActivation hiddenAct = ClipActivation::QuickGelu;
  double layerNormEps = 1e-5;
  std::int64_t eosTokenId = 49407;  // pooled output is read at the first EOS (argmax of ids when absent)

  // From a HF CLIPTextConfig dict; missing keys keep the CLIP ViT-L/14 defaults. Throws WeightsError on a bad value.
  static ClipTextConfig fromJson(const nlohmann::json& json);
};

enum class KeepHiddenStates { No, Yes };

struct ClipTextOutput {
  at::Tensor lastHiddenState;     // final_layer_norm(last layer)               [B, T, H]
  at::Tensor penultimate;         // hidden_states[-2], no final LN (SDXL)     [B, T, H]
  at::Tensor penultimateFinalLn;  // final_layer_norm(hidden_states[-2]) (SD2, clip skip 2)
  at::Tensor pooled;              // lastHiddenState at the EOS position        [B, H]
  at::Tensor textEmbeds;          // text_projection(pooled), undefined without a projection
  std::vector<at::Tensor> hiddenStates;  // embeddings + every layer's output, when asked for
};

class ClipTextEncoder {
 public:
  // Checks every tensor's presence and shape up front: a wrong checkpoint fails here, naming the tensor.
  ClipTextEncoder(ClipTextConfig config, Weights weights);

  ClipTextOutput forward(const at::Tensor& inputIds, KeepHiddenStates keep = KeepHiddenStates::No) const;
  // Hidden states after `skip` fewer layers, final LN applied: skip 0 = last_hidden_state, 1 = SD2/"clip skip 2".
  at::Tensor encode(const at::Tensor& inputIds, int skip = 0) const;

  const ClipTextConfig& config() const { return config_; }
  bool hasProjection() const { return weights_.has("text_projection.weight"); }
  at::ScalarType dtype() const;
  at::Device device() const;

 private:
  at::Tensor layer(const at::Tensor& x, std::int64_t index, const at::Tensor& mask) const;
  at::Tensor layerNorm(const at::Tensor& x, const std::string& prefix) const;

  ClipTextConfig config_;
  Weights weights_;
};

}  // namespace lanterna::inference
