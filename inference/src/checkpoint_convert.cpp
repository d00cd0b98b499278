#include "checkpoint_convert.h"

#include <functional>
#include <optional>
#include <regex>
#include <set>

namespace lanterna::inference {
namespace {

bool startsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// Replaces a leading prefix; returns false when the name does not start with it.
bool replacePrefix(std::string& name, const std::string& from, const std::string& to) {
  if (!startsWith(name, from)) return false;
  name = to + name.substr(from.size());
  return true;
}

std::string renameResnet(std::string rest) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"in_layers.0.", "norm1."},        {"in_layers.2.", "conv1."},  {"emb_layers.1.", "time_emb_proj."},
      {"out_layers.0.", "norm2."},       {"out_layers.3.", "conv2."}, {"skip_connection.", "conv_shortcut."},
      {"nin_shortcut.", "conv_shortcut."}};
  for (const auto& [from, to] : kNames)
    if (replacePrefix(rest, from, to)) break;
  return rest;
}

// Applies `rename` to every key; keys it maps to nothing are dropped.
Weights renameAll(const Weights& in, const std::function<std::optional<std::string>(const std::string&)>& rename) {
  Weights out;
  out.setSource(in.source());
  for (const auto& [name, tensor] : in.all())
    if (auto renamed = rename(name)) out.set(*renamed, tensor);
  return out;
}

int64_t countIndices(const Weights& w, const std::string& prefix) {
  std::set<int64_t> seen;
  for (const auto& [name, tensor] : w.all()) {
    if (!startsWith(name, prefix)) continue;
    const std::string rest = name.substr(prefix.size());
    const auto dot = rest.find('.');
    if (dot == std::string::npos) continue;
    try {
      seen.insert(std::stoll(rest.substr(0, dot)));
    } catch (const std::exception&) {
    }
  }
  return static_cast<int64_t>(seen.size());
}

}  // namespace

Weights convertLdmUNet(const Weights& ldm) {
  // layers_per_block: the first downsampler ("input_blocks.N.0.op") sits at N = layers + 1.
  int64_t layers = countIndices(ldm, "input_blocks.") - 1;
  for (int64_t n = 1; n < 64; ++n)
    if (ldm.has("input_blocks." + std::to_string(n) + ".0.op.weight")) {
      layers = n - 1;
      break;
    }
  const int64_t perLevel = layers + 1;
  static const std::regex kBlock(R"((input_blocks|output_blocks|middle_block)\.(\d+)\.(?:(\d+)\.)?(.*))");
  return renameAll(ldm, [&](const std::string& name) -> std::optional<std::string> {
    std::string out = name;
    if (replacePrefix(out, "time_embed.0.", "time_embedding.linear_1.") ||
        replacePrefix(out, "time_embed.2.", "time_embedding.linear_2.") ||
        replacePrefix(out, "input_blocks.0.0.", "conv_in.") || replacePrefix(out, "out.0.", "conv_norm_out.") ||
        replacePrefix(out, "out.2.", "conv_out."))
      return out;
    std::smatch m;
    if (!std::regex_match(name, m, kBlock)) return std::nullopt;
    const std::string kind = m[1];
    const int64_t n = std::stoll(m[2]);
    const std::string rest = m[4];
    if (kind == "middle_block") {
      // middle_block.N.rest: resnet, transformer, resnet
      const std::string inner = m[3].matched ? m[3].str() + "." + rest : rest;
      if (n == 0) return "mid_block.resnets.0." + renameResnet(inner);
      if (n == 1) return "mid_block.attentions.0." + inner;
      if (n == 2) return "mid_block.resnets.1." + renameResnet(inner);
      return std::nullopt;
    }
    if (!m[3].matched) return std::nullopt;
    const int64_t part = std::stoll(m[3]);
    if (kind == "input_blocks") {
      const int64_t level = (n - 1) / perLevel, j = (n - 1) % perLevel;
      const std::string block = "down_blocks." + std::to_string(level) + ".";
      if (j == layers && startsWith(rest, "op.")) return block + "downsamplers.0.conv." + rest.substr(3);
      if (part == 0) return block + "resnets." + std::to_string(j) + "." + renameResnet(rest);
      return block + "attentions." + std::to_string(j) + "." + rest;
    }
    const int64_t level = n / perLevel, j = n % perLevel;
    const std::string block = "up_blocks." + std::to_string(level) + ".";
    if (part == 0) return block + "resnets." + std::to_string(j) + "." + renameResnet(rest);
    if (startsWith(rest, "conv.")) return block + "upsamplers.0." + rest;
    return block + "attentions." + std::to_string(j) + "." + rest;
  });
}

Weights convertLdmVae(const Weights& ldm) {
  const int64_t upLevels = countIndices(ldm, "decoder.up.");
  static const std::regex kLevel(R"((encoder\.down|decoder\.up)\.(\d+)\.(block\.(\d+)|downsample|upsample)\.(.*))");
  static const std::regex kMid(R"((encoder|decoder)\.mid\.(block_1|block_2|attn_1)\.(.*))");
  static const std::pair<const char*, const char*> kAttention[] = {
      {"norm.", "group_norm."}, {"q.", "to_q."}, {"k.", "to_k."}, {"v.", "to_v."}, {"proj_out.", "to_out.0."},
      {"query.", "to_q."}, {"key.", "to_k."}, {"value.", "to_v."}, {"proj_attn.", "to_out.0."}};
  Weights out;
  out.setSource(ldm.source());
  for (const auto& [name, tensor] : ldm.all()) {
    std::string renamed = name;
    std::smatch m;
    bool isAttention = false;
    if (std::regex_match(name, m, kLevel)) {
      const bool encoder = m[1] == "encoder.down";
      const int64_t level = encoder ? std::stoll(m[2]) : upLevels - 1 - std::stoll(m[2]);
      const std::string block = (encoder ? "encoder.down_blocks." : "decoder.up_blocks.") + std::to_string(level) + ".";
      if (m[4].matched)
        renamed = block + "resnets." + m[4].str() + "." + renameResnet(m[5]);
      else
        renamed = block + (encoder ? "downsamplers.0." : "upsamplers.0.") + m[5].str();
    } else if (std::regex_match(name, m, kMid)) {
      const std::string side = m[1].str() + ".mid_block.";
      if (m[2] == "attn_1") {
        renamed = side + "attentions.0." + m[3].str();
        isAttention = true;
      } else {
        renamed = side + (m[2] == "block_1" ? "resnets.0." : "resnets.1.") + renameResnet(m[3]);
      }
    } else if (replacePrefix(renamed, "encoder.norm_out.", "encoder.conv_norm_out.") ||
               replacePrefix(renamed, "decoder.norm_out.", "decoder.conv_norm_out.")) {
    } else if (name.find("mid_block.attentions.0.") != std::string::npos) {
      isAttention = true;  // diffusers names, possibly the older query/key/value/proj_attn
    }
    at::Tensor value = tensor;
    if (isAttention) {
      const auto at = renamed.find("attentions.0.") + std::string("attentions.0.").size();
      std::string leaf = renamed.substr(at);
      for (const auto& [from, to] : kAttention)
        if (replacePrefix(leaf, from, to)) break;
      renamed = renamed.substr(0, at) + leaf;
      // Original LDM stores these projections as 1x1 convs: [C, C, 1, 1] (bias [C, 1, 1] after conversion).
      const bool projection = !startsWith(leaf, "group_norm.");
      if (projection && value.dim() == 4) value = value.flatten(1);
      if (projection && leaf.find("bias") != std::string::npos) value = value.flatten();
    }
    out.set(renamed, value);
  }
  return out;
}

Weights convertLdmClip(const Weights& ldm) {
  return renameAll(ldm, [](const std::string& name) -> std::optional<std::string> {
    if (startsWith(name, "text_model.") || name == "text_projection.weight") return name;
    return std::nullopt;
  });
}

Weights convertOpenClip(const Weights& w) {
  Weights out;
  out.setSource(w.source());
  const int64_t layers = countIndices(w, "transformer.resblocks.") - 1;  // SD2 drops the last layer
  static const std::regex kLayer(R"(transformer\.resblocks\.(\d+)\.(.*))");
  static const std::pair<const char*, const char*> kNames[] = {
      {"ln_1.", "layer_norm1."}, {"ln_2.", "layer_norm2."}, {"mlp.c_fc.", "mlp.fc1."}, {"mlp.c_proj.", "mlp.fc2."},
      {"attn.out_proj.", "self_attn.out_proj."}};
  for (const auto& [name, tensor] : w.all()) {
    std::smatch m;
    if (name == "token_embedding.weight") {
      out.set("text_model.embeddings.token_embedding.weight", tensor);
    } else if (name == "positional_embedding") {
      out.set("text_model.embeddings.position_embedding.weight", tensor);
    } else if (startsWith(name, "ln_final.")) {
      out.set("text_model.final_layer_norm." + name.substr(9), tensor);
    } else if (name == "text_projection") {
      out.set("text_projection.weight", tensor.t());  // OpenCLIP multiplies x @ P; HF stores the Linear weight
    } else if (std::regex_match(name, m, kLayer) && std::stoll(m[1]) < layers) {
      const std::string prefix = "text_model.encoder.layers." + m[1].str() + ".";
      std::string rest = m[2];
      if (startsWith(rest, "attn.in_proj_")) {
        const std::string leaf = rest.substr(13);  // "weight" or "bias"
        auto parts = tensor.chunk(3, 0);
        out.set(prefix + "self_attn.q_proj." + leaf, parts[0]);
        out.set(prefix + "self_attn.k_proj." + leaf, parts[1]);
        out.set(prefix + "self_attn.v_proj." + leaf, parts[2]);
        continue;
      }
      for (const auto& [from, to] : kNames)
        if (replacePrefix(rest, from, to)) break;
      out.set(prefix + rest, tensor);
    }
  }
  return out;
}

nlohmann::json inferUNetConfig(const Weights& w) {
  const int64_t levels = countIndices(w, "down_blocks.");
  if (levels == 0 || !w.has("conv_in.weight"))
    throw WeightsError("\"" + w.source() + "\" has no UNet (no conv_in / down_blocks).");
  std::vector<int64_t> channels;
  std::vector<std::string> down, up;
  int64_t transformerLayers = 0;
  for (int64_t i = 0; i < levels; ++i) {
    const std::string block = "down_blocks." + std::to_string(i) + ".";
    channels.push_back(w.get(block + "resnets.0.conv1.weight").size(0));
    down.push_back(w.has(block + "attentions.0.proj_in.weight") ? "CrossAttnDownBlock2D" : "DownBlock2D");
    up.push_back(w.has("up_blocks." + std::to_string(i) + ".attentions.0.proj_in.weight") ? "CrossAttnUpBlock2D"
                                                                                           : "UpBlock2D");
    if (transformerLayers == 0 && w.has(block + "attentions.0.proj_in.weight"))
      transformerLayers = countIndices(w, block + "attentions.0.transformer_blocks.");
  }
  const bool linear = w.has("mid_block.attentions.0.proj_in.weight") &&
                      w.get("mid_block.attentions.0.proj_in.weight").dim() == 2;
  // Shapes do not show heads: SD1.x uses 8 heads everywhere, SD2.x uses 64-wide heads.
  nlohmann::json heads = 8;
  if (linear) {
    heads = nlohmann::json::array();
    for (int64_t c : channels) heads.push_back(c / 64);
  }
  nlohmann::json config = {{"_class_name", "UNet2DConditionModel"},
                           {"in_channels", w.get("conv_in.weight").size(1)},
                           {"out_channels", w.get("conv_out.weight").size(0)},
                           {"block_out_channels", channels},
                           {"down_block_types", down},
                           {"up_block_types", up},
                           {"mid_block_type", "UNetMidBlock2DCrossAttn"},
                           {"layers_per_block", countIndices(w, "down_blocks.0.resnets.")},
                           {"attention_head_dim", heads},
                           {"transformer_layers_per_block", std::max<int64_t>(1, transformerLayers)},
                           {"cross_attention_dim",
                            w.get("mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight").size(1)},
                           {"use_linear_projection", linear},
                           {"norm_num_groups", 32},
                           {"norm_eps", 1e-5},
                           {"flip_sin_to_cos", true},
                           {"freq_shift", 0},
                           {"upcast_attention", false},
                           {"sample_size", 64}};
  return config;
}

nlohmann::json inferVaeConfig(const Weights& w) {
  const int64_t levels = countIndices(w, "encoder.down_blocks.");
  if (levels == 0 || !w.has("post_quant_conv.weight"))
    throw WeightsError("\"" + w.source() + "\" has no VAE (no encoder.down_blocks / post_quant_conv).");
  std::vector<int64_t> channels;
  for (int64_t i = 0; i < levels; ++i)
    channels.push_back(w.get("encoder.down_blocks." + std::to_string(i) + ".resnets.0.conv2.weight").size(0));
  return {{"_class_name", "AutoencoderKL"},
          {"in_channels", w.get("encoder.conv_in.weight").size(1)},
          {"out_channels", w.get("decoder.conv_out.weight").size(0)},
          {"down_block_types", std::vector<std::string>(levels, "DownEncoderBlock2D")},
          {"up_block_types", std::vector<std::string>(levels, "UpDecoderBlock2D")},
          {"block_out_channels", channels},
          {"layers_per_block", countIndices(w, "encoder.down_blocks.0.resnets.")},
          {"latent_channels", w.get("post_quant_conv.weight").size(0)},
          {"norm_num_groups", 32},
          {"sample_size", 512},
          {"scaling_factor", 0.18215}};
}

nlohmann::json inferClipConfig(const Weights& w, const std::string& hiddenAct) {
  const at::Tensor& tokens = w.get("text_model.embeddings.token_embedding.weight");
  const int64_t hidden = tokens.size(1);
  nlohmann::json config = {
      {"architectures", {"CLIPTextModel"}},
      {"model_type", "clip_text_model"},
      {"vocab_size", tokens.size(0)},
      {"hidden_size", hidden},
      {"intermediate_size", w.get("text_model.encoder.layers.0.mlp.fc1.weight").size(0)},
      {"num_hidden_layers", countIndices(w, "text_model.encoder.layers.")},
      {"num_attention_heads", std::max<int64_t>(1, hidden / 64)},  // real CLIP text towers use 64-wide heads
      {"max_position_embeddings", w.get("text_model.embeddings.position_embedding.weight").size(0)},
      {"hidden_act", hiddenAct},
      {"layer_norm_eps", 1e-5},
      {"bos_token_id", 49406},
      {"eos_token_id", 49407},
      {"pad_token_id", 49407}};
  if (w.has("text_projection.weight")) {
    config["architectures"] = {"CLIPTextModelWithProjection"};
    config["projection_dim"] = w.get("text_projection.weight").size(0);
  }
  return config;
}

nlohmann::json mergeConfig(nlohmann::json config, const nlohmann::json& overrides) {
  if (overrides.is_object())
    for (const auto& [key, value] : overrides.items()) config[key] = value;
  return config;
}

}  // namespace lanterna::inference
