#include "clip_text_encoder.h"

#include <cmath>
#include <limits>
#include <string>

namespace lanterna::inference {
namespace {

const std::string kText = "text_model.";

bool isHalfType(at::ScalarType type) { return type == at::kHalf || type == at::kBFloat16; }

}  // namespace

ClipTextConfig ClipTextConfig::fromJson(const nlohmann::json& json) {
  ClipTextConfig config;
  try {
    config.vocabSize = json.value("vocab_size", config.vocabSize);
    config.hiddenSize = json.value("hidden_size", config.hiddenSize);
    config.intermediateSize = json.value("intermediate_size", config.intermediateSize);
    config.numAttentionHeads = json.value("num_attention_heads", config.numAttentionHeads);
    config.numHiddenLayers = json.value("num_hidden_layers", config.numHiddenLayers);
    config.maxPositionEmbeddings = json.value("max_position_embeddings", config.maxPositionEmbeddings);
    config.layerNormEps = json.value("layer_norm_eps", config.layerNormEps);
    if (json.contains("eos_token_id") && json["eos_token_id"].is_number_integer())
      config.eosTokenId = json["eos_token_id"];
    const std::string act = json.value("hidden_act", std::string("quick_gelu"));
    if (act == "quick_gelu") config.hiddenAct = ClipActivation::QuickGelu;
    else if (act == "gelu") config.hiddenAct = ClipActivation::Gelu;
    else throw WeightsError("CLIP text config: unsupported hidden_act \"" + act + "\" (quick_gelu or gelu)");
  } catch (const nlohmann::json::exception& e) {
    throw WeightsError(std::string("CLIP text config has a value of the wrong type: ") + e.what());
  }
  if (config.hiddenSize <= 0 || config.numAttentionHeads <= 0 || config.hiddenSize % config.numAttentionHeads != 0)
    throw WeightsError("CLIP text config: hidden_size " + std::to_string(config.hiddenSize) +
                       " is not divisible by num_attention_heads " + std::to_string(config.numAttentionHeads));
  if (config.numHiddenLayers < 1) throw WeightsError("CLIP text config: num_hidden_layers must be at least 1");
  return config;
}

ClipTextEncoder::ClipTextEncoder(ClipTextConfig config, Weights weights)
    : config_(config), weights_(std::move(weights)) {
  const std::int64_t h = config_.hiddenSize, ff = config_.intermediateSize;
  weights_.get(kText + "embeddings.token_embedding.weight", {config_.vocabSize, h});
  weights_.get(kText + "embeddings.position_embedding.weight", {config_.maxPositionEmbeddings, h});
  for (std::int64_t i = 0; i < config_.numHiddenLayers; ++i) {
    const std::string p = kText + "encoder.layers." + std::to_string(i) + ".";
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      weights_.get(p + "self_attn." + proj + ".weight", {h, h});
      weights_.get(p + "self_attn." + proj + ".bias", {h});
    }
    for (const char* norm : {"layer_norm1", "layer_norm2"}) {
      weights_.get(p + norm + ".weight", {h});
      weights_.get(p + norm + ".bias", {h});
    }
    weights_.get(p + "mlp.fc1.weight", {ff, h});
    weights_.get(p + "mlp.fc1.bias", {ff});
    weights_.get(p + "mlp.fc2.weight", {h, ff});
    weights_.get(p + "mlp.fc2.bias", {h});
  }
  weights_.get(kText + "final_layer_norm.weight", {h});
  weights_.get(kText + "final_layer_norm.bias", {h});
  if (hasProjection() && weights_.get("text_projection.weight").size(1) != h)
    throw WeightsError("text_projection.weight does not take hidden_size " + std::to_string(h) + " inputs");
}

at::ScalarType ClipTextEncoder::dtype() const {
  return weights_.get(kText + "final_layer_norm.weight").scalar_type();
}

at::Device ClipTextEncoder::device() const { return weights_.get(kText + "final_layer_norm.weight").device(); }

at::Tensor ClipTextEncoder::layerNorm(const at::Tensor& x, const std::string& prefix) const {
  const auto& w = weights_.get(prefix + ".weight");
  const auto& b = weights_.get(prefix + ".bias");
  if (isHalfType(x.scalar_type()))  // statistics in float32, as CLIP's own LayerNorm does
    return at::layer_norm(x.to(at::kFloat), {config_.hiddenSize}, w.to(at::kFloat), b.to(at::kFloat),
                          config_.layerNormEps)
        .to(x.scalar_type());
  return at::layer_norm(x, {config_.hiddenSize}, w, b, config_.layerNormEps);
}

at::Tensor ClipTextEncoder::layer(const at::Tensor& input, std::int64_t index, const at::Tensor& mask) const {
  const std::string p = kText + "encoder.layers." + std::to_string(index) + ".";
  const std::int64_t batch = input.size(0), tokens = input.size(1);
  const std::int64_t heads = config_.numAttentionHeads, headDim = config_.hiddenSize / heads;
  auto proj = [&](const at::Tensor& x, const std::string& name) {
    return at::linear(x, weights_.get(p + name + ".weight"), weights_.get(p + name + ".bias"));
  };
  auto splitHeads = [&](const at::Tensor& x) { return x.view({batch, tokens, heads, headDim}).transpose(1, 2); };

  // 1. Causal self-attention (SD passes no padding mask: pad tokens attend like any other).
  at::Tensor x = layerNorm(input, p + "layer_norm1");
  const at::Tensor q = splitHeads(proj(x, "self_attn.q_proj") * (1.0 / std::sqrt(static_cast<double>(headDim))));
  const at::Tensor k = splitHeads(proj(x, "self_attn.k_proj"));
  const at::Tensor v = splitHeads(proj(x, "self_attn.v_proj"));
  at::Tensor scores = at::matmul(q, k.transpose(-1, -2));
  at::Tensor probs = isHalfType(scores.scalar_type())
                         ? at::softmax(scores.to(at::kFloat) + mask, -1).to(scores.scalar_type())
                         : at::softmax(scores + mask.to(scores.scalar_type()), -1);
  at::Tensor attended = at::matmul(probs, v).transpose(1, 2).reshape({batch, tokens, config_.hiddenSize});
  at::Tensor h = input + proj(attended, "self_attn.out_proj");

  // 2. MLP.
  x = proj(layerNorm(h, p + "layer_norm2"), "mlp.fc1");
  x = config_.hiddenAct == ClipActivation::QuickGelu ? x * at::sigmoid(x * 1.702) : at::gelu(x);
  return h + proj(x, "mlp.fc2");
}

ClipTextOutput ClipTextEncoder::forward(const at::Tensor& inputIdsIn, KeepHiddenStates keep) const {
  if (inputIdsIn.dim() != 2)
    throw WeightsError("CLIP text encoder expects input ids of shape [batch, tokens]");
  const std::int64_t tokens = inputIdsIn.size(1);
  if (tokens < 1 || tokens > config_.maxPositionEmbeddings)
    throw WeightsError("CLIP text encoder takes 1.." + std::to_string(config_.maxPositionEmbeddings) + " tokens, got " +
                       std::to_string(tokens));
  const at::Tensor ids = inputIdsIn.to(device(), at::kLong);
  if (ids.numel() > 0 && (ids.min().item<std::int64_t>() < 0 || ids.max().item<std::int64_t>() >= config_.vocabSize))
    throw WeightsError("CLIP text encoder: a token id is outside the vocabulary of " +
                       std::to_string(config_.vocabSize));

  ClipTextOutput out;
  const auto& tokenTable = weights_.get(kText + "embeddings.token_embedding.weight");
  const auto& positionTable = weights_.get(kText + "embeddings.position_embedding.weight");
  at::Tensor h = at::embedding(tokenTable, ids) + positionTable.narrow(0, 0, tokens).unsqueeze(0);
  const at::Tensor mask =
      at::full({tokens, tokens}, -std::numeric_limits<float>::infinity(), at::TensorOptions(at::kFloat).device(device()))
          .triu(1);

  if (keep == KeepHiddenStates::Yes) out.hiddenStates.push_back(h);
  for (std::int64_t i = 0; i < config_.numHiddenLayers; ++i) {
    if (i == config_.numHiddenLayers - 1) out.penultimate = h;  // hidden_states[-2]
    h = layer(h, i, mask);
    if (keep == KeepHiddenStates::Yes) out.hiddenStates.push_back(h);
  }
  out.lastHiddenState = layerNorm(h, kText + "final_layer_norm");
  out.penultimateFinalLn = layerNorm(out.penultimate, kText + "final_layer_norm");

  // Pooled: first EOS of each row; rows without one fall back to argmax(ids) as openai CLIP does.
  const at::Tensor isEos = ids == config_.eosTokenId;
  const at::Tensor firstEos = isEos.to(at::kInt).argmax(-1);
  const at::Tensor position = at::where(isEos.any(-1), firstEos, ids.argmax(-1));
  out.pooled = out.lastHiddenState.index({at::arange(ids.size(0), ids.options()), position});
  if (hasProjection()) out.textEmbeds = at::linear(out.pooled, weights_.get("text_projection.weight"));
  return out;
}

at::Tensor ClipTextEncoder::encode(const at::Tensor& inputIds, int skip) const {
  if (skip <= 0) return forward(inputIds).lastHiddenState;
  if (skip == 1) return forward(inputIds).penultimateFinalLn;
  if (skip >= config_.numHiddenLayers)
    throw WeightsError("clip skip " + std::to_string(skip) + " leaves no layer of " +
                       std::to_string(config_.numHiddenLayers));
  auto out = forward(inputIds, KeepHiddenStates::Yes);
  return layerNorm(out.hiddenStates[config_.numHiddenLayers - skip], kText + "final_layer_norm");
}

}  // namespace lanterna::inference
