#include "parameter_layout.h"

#include <cmath>

#include <c10/core/GradMode.h>

namespace lanterna::toy {
namespace {

using Shape = std::vector<std::int64_t>;

std::string sub(const std::string& prefix, std::size_t i) { return prefix + std::to_string(i) + "."; }

class LayoutBuilder {
 public:
  void tensor(const std::string& name, Shape shape) { specs_.push_back({name, std::move(shape)}); }
  void conv(const std::string& name, std::int64_t out, std::int64_t in, std::int64_t kernel) {
    tensor(name + ".weight", {out, in, kernel, kernel});
    tensor(name + ".bias", {out});
  }
  void linear(const std::string& name, std::int64_t out, std::int64_t in, bool hasBias = true) {
    tensor(name + ".weight", {out, in});
    if (hasBias) tensor(name + ".bias", {out});
  }
  void norm(const std::string& name, std::int64_t channels) {
    tensor(name + ".weight", {channels});
    tensor(name + ".bias", {channels});
  }
  // ResnetBlock::load
  void resnet(const std::string& p, std::int64_t in, std::int64_t out, std::int64_t temb) {
    norm(p + "norm1", in);
    conv(p + "conv1", out, in, 3);
    norm(p + "norm2", out);
    conv(p + "conv2", out, out, 3);
    if (temb > 0) linear(p + "time_emb_proj", out, temb);
    if (in != out) conv(p + "conv_shortcut", out, in, 1);
  }
  // Transformer2D::load, convolutional projections (use_linear_projection false)
  void transformer(const std::string& p, std::int64_t c, std::int64_t context, std::int64_t layers, bool linearProj) {
    norm(p + "norm", c);
    if (linearProj) linear(p + "proj_in", c, c); else conv(p + "proj_in", c, c, 1);
    for (std::int64_t i = 0; i < layers; ++i) {
      const std::string b = sub(p + "transformer_blocks.", static_cast<std::size_t>(i));
      for (const char* n : {"norm1", "norm2", "norm3"}) norm(b + n, c);
      for (const char* a : {"attn1.", "attn2."}) {
        const std::int64_t kv = std::string(a) == "attn1." ? c : context;
        linear(b + a + "to_q", c, c, false);
        linear(b + a + "to_k", c, kv, false);
        linear(b + a + "to_v", c, kv, false);
        linear(b + a + "to_out.0", c, c);
      }
      linear(b + "ff.net.0.proj", c * 8, c);
      linear(b + "ff.net.2", c, c * 4);
    }
    if (linearProj) linear(p + "proj_out", c, c); else conv(p + "proj_out", c, c, 1);
  }
  // MotionModule::load: a temporal transformer with two self-attentions over frames.
  void motionModule(const std::string& p, std::int64_t c) {
    norm(p + "norm", c);
    linear(p + "proj_in", c, c);
    const std::string b = p + "transformer_blocks.0.";
    for (const char* n : {"norm1", "norm2", "norm3"}) norm(b + n, c);
    for (const char* a : {"attn1.", "attn2."}) {
      for (const char* n : {"to_q", "to_k", "to_v"}) linear(b + a + n, c, c, false);
      linear(b + a + "to_out.0", c, c);
    }
    linear(b + "ff.net.0.proj", c * 8, c);
    linear(b + "ff.net.2", c, c * 4);
    linear(p + "proj_out", c, c);
  }
  std::vector<ParameterSpec> take() { return std::move(specs_); }

 private:
  std::vector<ParameterSpec> specs_;
};

bool endsWith(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::vector<ParameterSpec> vaeLayout(const inference::VaeConfig& config) {
  LayoutBuilder b;
  const auto& ch = config.blockOutChannels;
  const std::size_t levels = ch.size();
  const std::int64_t latent = config.latentChannels;
  auto mid = [&](const std::string& p, std::int64_t c) {
    b.resnet(p + "resnets.0.", c, c, 0);
    b.resnet(p + "resnets.1.", c, c, 0);
    b.norm(p + "attentions.0.group_norm", c);
    for (const char* n : {"to_q", "to_k", "to_v", "to_out.0"}) b.linear(p + "attentions.0." + n, c, c);
  };
  b.conv("encoder.conv_in", ch[0], config.inChannels, 3);
  std::int64_t out = ch[0];
  for (std::size_t i = 0; i < levels; ++i) {
    const std::int64_t in = out;
    out = ch[i];
    const std::string p = sub("encoder.down_blocks.", i);
    for (std::int64_t j = 0; j < config.layersPerBlock; ++j)
      b.resnet(sub(p + "resnets.", static_cast<std::size_t>(j)), j == 0 ? in : out, out, 0);
    if (i + 1 < levels) b.conv(p + "downsamplers.0.conv", out, out, 3);
  }
  mid("encoder.mid_block.", ch.back());
  b.norm("encoder.conv_norm_out", ch.back());
  b.conv("encoder.conv_out", 2 * latent, ch.back(), 3);
  b.conv("quant_conv", 2 * latent, 2 * latent, 1);
  b.conv("post_quant_conv", latent, latent, 1);
  b.conv("decoder.conv_in", ch.back(), latent, 3);
  mid("decoder.mid_block.", ch.back());
  out = ch.back();
  for (std::size_t i = 0; i < levels; ++i) {
    const std::int64_t prev = out;
    out = ch[levels - 1 - i];
    const std::string p = sub("decoder.up_blocks.", i);
    for (std::int64_t j = 0; j <= config.layersPerBlock; ++j)
      b.resnet(sub(p + "resnets.", static_cast<std::size_t>(j)), j == 0 ? prev : out, out, 0);
    if (i + 1 < levels) b.conv(p + "upsamplers.0.conv", out, out, 3);
  }
  b.norm("decoder.conv_norm_out", ch[0]);
  b.conv("decoder.conv_out", config.outChannels, ch[0], 3);
  return b.take();
}

std::vector<ParameterSpec> unetLayout(const inference::UNetConfig& config) {
  LayoutBuilder b;
  const auto& ch = config.blockOutChannels;
  const std::size_t levels = ch.size();
  const std::int64_t temb = ch[0] * 4;
  auto transformer = [&](const std::string& p, std::int64_t c, std::size_t level) {
    b.transformer(p, c, config.crossAttentionDim, config.transformerLayers[level], config.linearProjection);
  };
  b.conv("conv_in", ch[0], config.inChannels, 3);
  b.linear("time_embedding.linear_1", temb, ch[0]);
  b.linear("time_embedding.linear_2", temb, temb);
  std::int64_t out = ch[0];
  for (std::size_t i = 0; i < levels; ++i) {
    const std::int64_t in = out;
    out = ch[i];
    const std::string p = sub("down_blocks.", i);
    for (std::int64_t j = 0; j < config.layersPerBlock; ++j) {
      const auto jj = static_cast<std::size_t>(j);
      b.resnet(sub(p + "resnets.", jj), j == 0 ? in : out, out, temb);
      if (config.crossAttnDown[i]) transformer(sub(p + "attentions.", jj), out, i);
    }
    if (i + 1 < levels) b.conv(p + "downsamplers.0.conv", out, out, 3);
  }
  b.resnet("mid_block.resnets.0.", ch.back(), ch.back(), temb);
  transformer("mid_block.attentions.0.", ch.back(), levels - 1);
  b.resnet("mid_block.resnets.1.", ch.back(), ch.back(), temb);
  out = ch.back();
  for (std::size_t i = 0; i < levels; ++i) {
    const std::size_t mirrored = levels - 1 - i;
    const std::int64_t prev = out;
    out = ch[mirrored];
    const std::int64_t in = ch[mirrored == 0 ? 0 : mirrored - 1];
    const std::string p = sub("up_blocks.", i);
    for (std::int64_t j = 0; j <= config.layersPerBlock; ++j) {
      const auto jj = static_cast<std::size_t>(j);
      const std::int64_t skip = j == config.layersPerBlock ? in : out;
      b.resnet(sub(p + "resnets.", jj), (j == 0 ? prev : out) + skip, out, temb);
      if (config.crossAttnUp[i]) transformer(sub(p + "attentions.", jj), out, mirrored);
    }
    if (i + 1 < levels) b.conv(p + "upsamplers.0.conv", out, out, 3);
  }
  b.norm("conv_norm_out", ch[0]);
  b.conv("conv_out", config.outChannels, ch[0], 3);
  return b.take();
}

std::vector<ParameterSpec> clipTextLayout(const inference::ClipTextConfig& config) {
  LayoutBuilder b;
  const std::int64_t h = config.hiddenSize;
  b.tensor("text_model.embeddings.token_embedding.weight", {config.vocabSize, h});
  b.tensor("text_model.embeddings.position_embedding.weight", {config.maxPositionEmbeddings, h});
  for (std::int64_t i = 0; i < config.numHiddenLayers; ++i) {
    const std::string p = sub("text_model.encoder.layers.", static_cast<std::size_t>(i));
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) b.linear(p + "self_attn." + proj, h, h);
    b.norm(p + "layer_norm1", h);
    b.linear(p + "mlp.fc1", config.intermediateSize, h);
    b.linear(p + "mlp.fc2", h, config.intermediateSize);
    b.norm(p + "layer_norm2", h);
  }
  b.norm("text_model.final_layer_norm", h);
  return b.take();
}

namespace {

// Prefix and channels of every module of an adapter, in the order UNetMotion::load reads them.
std::vector<std::pair<std::string, std::int64_t>> motionModules(const inference::MotionAdapterConfig& config) {
  std::vector<std::pair<std::string, std::int64_t>> modules;
  const auto& ch = config.blockOutChannels;
  const std::size_t levels = ch.size();
  for (std::size_t i = 0; i < levels; ++i)
    for (std::int64_t j = 0; j < config.layersPerBlock; ++j)
      modules.emplace_back(sub(sub("down_blocks.", i) + "motion_modules.", static_cast<std::size_t>(j)), ch[i]);
  for (std::size_t i = 0; i < levels; ++i)
    for (std::int64_t j = 0; j <= config.layersPerBlock; ++j)
      modules.emplace_back(sub(sub("up_blocks.", i) + "motion_modules.", static_cast<std::size_t>(j)),
                           ch[levels - 1 - i]);
  if (config.midBlock)
    for (std::int64_t j = 0; j < config.midLayers; ++j)
      modules.emplace_back(sub("mid_block.motion_modules.", static_cast<std::size_t>(j)), ch.back());
  return modules;
}

}  // namespace

std::vector<ParameterSpec> motionAdapterLayout(const inference::MotionAdapterConfig& config) {
  LayoutBuilder b;
  for (const auto& [prefix, channels] : motionModules(config)) b.motionModule(prefix, channels);
  return b.take();
}

NamedTensors motionPositionTables(const inference::MotionAdapterConfig& config) {
  NamedTensors tables;
  for (const auto& [prefix, channels] : motionModules(config))
    tables.emplace_back(prefix + "transformer_blocks.0.pos_embed.pe",
                        inference::sinusoidalPositions(config.maxSequence, channels));
  return tables;
}

void zeroMotionProjOut(const NamedTensors& adapter) {
  c10::NoGradGuard noGrad;
  for (const auto& [name, tensor] : adapter)
    if (endsWith(name, "proj_out.weight") || endsWith(name, "proj_out.bias")) tensor.zero_();
}

NamedTensors initParameters(const std::vector<ParameterSpec>& layout, const std::string& prefix, at::Device device) {
  NamedTensors out;
  out.reserve(layout.size());
  for (const auto& spec : layout) {
    at::Tensor t;
    if (endsWith(spec.name, ".bias")) {
      t = at::zeros(spec.shape);
    } else if (spec.shape.size() == 1) {
      t = at::ones(spec.shape);  // GroupNorm / LayerNorm scale
    } else if (spec.name.find("embedding.weight") != std::string::npos) {
      t = at::randn(spec.shape) * 0.02;
    } else {
      std::int64_t fanIn = 1;
      for (std::size_t i = 1; i < spec.shape.size(); ++i) fanIn *= spec.shape[i];
      const double bound = 1.0 / std::sqrt(static_cast<double>(fanIn));
      t = at::rand(spec.shape) * (2 * bound) - bound;
    }
    out.emplace_back(prefix + spec.name, t.to(device).set_requires_grad(true));
  }
  return out;
}

inference::Weights weightsFrom(const NamedTensors& tensors, const std::string& prefix) {
  inference::Weights weights;
  for (const auto& [name, tensor] : tensors)
    if (name.compare(0, prefix.size(), prefix) == 0) weights.set(name.substr(prefix.size()), tensor);
  weights.setSource("training parameters \"" + prefix + "\"");
  return weights;
}

}  // namespace lanterna::toy
