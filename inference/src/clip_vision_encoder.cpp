#include "clip_vision_encoder.h"

namespace lanterna::inference {

ClipVisionConfig ClipVisionConfig::fromJson(const nlohmann::json& json) {
  ClipVisionConfig c;
  try {
    c.hiddenSize = json.value("hidden_size", c.hiddenSize);
    c.intermediateSize = json.value("intermediate_size", c.intermediateSize);
    c.layers = json.value("num_hidden_layers", c.layers);
    c.heads = json.value("num_attention_heads", c.heads);
    c.imageSize = json.value("image_size", c.imageSize);
    c.patchSize = json.value("patch_size", c.patchSize);
    c.projectionDim = json.value("projection_dim", c.projectionDim);
    c.channels = json.value("num_channels", c.channels);
    c.layerNormEps = json.value("layer_norm_eps", c.layerNormEps);
    const std::string act = json.value("hidden_act", std::string("gelu"));
    if (act != "gelu" && act != "quick_gelu")
      throw WeightsError("CLIP vision config: unsupported hidden_act \"" + act + "\" (quick_gelu or gelu)");
    c.quickGelu = act == "quick_gelu";
  } catch (const nlohmann::json::exception& e) {
    throw WeightsError(std::string("CLIP vision config has a value of the wrong type: ") + e.what());
  }
  if (c.heads <= 0 || c.hiddenSize % c.heads != 0 || c.patchSize <= 0 || c.imageSize % c.patchSize != 0)
    throw WeightsError("CLIP vision config: hidden_size/heads or image_size/patch_size do not divide");
  return c;
}

ClipVisionEncoder ClipVisionEncoder::load(const ClipVisionConfig& config, const Weights& weights) {
  const Weights w = weights.sub("vision_model.");
  const int64_t h = config.hiddenSize, ff = config.intermediateSize;
  const int64_t tokens = 1 + (config.imageSize / config.patchSize) * (config.imageSize / config.patchSize);
  ClipVisionEncoder e;
  e.config_ = config;
  e.patchWeight_ = w.get("embeddings.patch_embedding.weight", {h, config.channels, config.patchSize, config.patchSize});
  e.classEmbedding_ = w.get("embeddings.class_embedding", {h});
  e.positions_ = w.get("embeddings.position_embedding.weight", {tokens, h});
  e.preNorm_ = LayerNorm::load(w, "pre_layrnorm", h, config.layerNormEps);  // sic: HF's spelling
  e.postNorm_ = LayerNorm::load(w, "post_layernorm", h, config.layerNormEps);
  for (int64_t i = 0; i < config.layers; ++i) {
    const Weights l = w.sub("encoder.layers." + std::to_string(i) + ".");
    e.layers_.push_back(Layer{LayerNorm::load(l, "layer_norm1", h, config.layerNormEps),
                              LayerNorm::load(l, "layer_norm2", h, config.layerNormEps),
                              Linear::load(l, "self_attn.q_proj", h, h), Linear::load(l, "self_attn.k_proj", h, h),
                              Linear::load(l, "self_attn.v_proj", h, h), Linear::load(l, "self_attn.out_proj", h, h),
                              Linear::load(l, "mlp.fc1", ff, h), Linear::load(l, "mlp.fc2", h, ff)});
  }
  e.projection_ = Linear::load(weights, "visual_projection", config.projectionDim, h, false);
  return e;
}

ClipVisionOutput ClipVisionEncoder::forward(const at::Tensor& pixelsIn) const {
  at::Tensor pixels = pixelsIn.to(device(), dtype());
  const int64_t batch = pixels.size(0), h = config_.hiddenSize;
  // 1. Patches (no bias) + class token + learned positions.
  at::Tensor patches = at::conv2d(pixels, patchWeight_, {}, {config_.patchSize, config_.patchSize});
  patches = patches.flatten(2).transpose(1, 2);  // (B, N, h)
  at::Tensor x = at::cat({classEmbedding_.view({1, 1, h}).expand({batch, 1, h}), patches}, 1);
  x = preNorm_(x + positions_.unsqueeze(0));
  // 2. Pre-LN encoder, no mask.
  for (const auto& layer : layers_) {
    at::Tensor n = layer.norm1(x);
    x = x + layer.out(multiHeadAttention(layer.q(n), layer.k(n), layer.v(n), config_.heads));
    at::Tensor m = layer.fc1(layer.norm2(x));
    m = config_.quickGelu ? m * at::sigmoid(m * 1.702) : at::gelu(m);
    x = x + layer.fc2(m);
  }
  ClipVisionOutput out;
  out.lastHiddenState = x;
  out.pooled = postNorm_(x.select(1, 0));
  out.imageEmbeds = projection_(out.pooled);
  return out;
}

at::Tensor clipNormalize(const at::Tensor& image) {
  auto options = image.options();
  at::Tensor mean = at::tensor({0.48145466, 0.4578275, 0.40821073}, at::kDouble).to(options).view({1, 3, 1, 1});
  at::Tensor std = at::tensor({0.26862954, 0.26130258, 0.27577711}, at::kDouble).to(options).view({1, 3, 1, 1});
  return ((image + 1.0) / 2.0 - mean) / std;
}

}  // namespace lanterna::inference
