// Writes a tiny Stable Diffusion 1.x model with random weights as a diffusers folder, without torch, so tests
// can open and run a real Engine in well under a second per step and without shared/. Usage:
//   auto model = lanterna::testing::writeTinySdModel(dir / "tiny-sd");   // Status; the folder is created
//   auto engine = Engine::open(dir / "tiny-sd");
// Images are 16x16 at sample size 8 (the VAE downscales by 2). Pure function; safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "lanterna/inference/safetensors.h"
#include "lanterna/result.h"
#include "toy_vocab.h"

namespace lanterna::testing {

namespace tiny_model_detail {

// Collects tensors by their diffusers names; the storage outlives the write.
class TensorSet {
 public:
  explicit TensorSet(std::uint32_t seed) : random_(seed) {}

  void random(const std::string& name, std::vector<std::int64_t> shape, float stddev = 0.2f) {
    std::normal_distribution<float> normal(0.0f, stddev);
    add(name, std::move(shape), [&] { return normal(random_); });
  }
  void constant(const std::string& name, std::vector<std::int64_t> shape, float value) {
    add(name, std::move(shape), [&] { return value; });
  }
  void linear(const std::string& name, std::int64_t out, std::int64_t in, bool bias = true) {
    random(name + ".weight", {out, in});
    if (bias) random(name + ".bias", {out}, 0.02f);
  }
  void conv(const std::string& name, std::int64_t out, std::int64_t in, std::int64_t kernel) {
    random(name + ".weight", {out, in, kernel, kernel});
    random(name + ".bias", {out}, 0.02f);
  }
  void norm(const std::string& name, std::int64_t channels) {
    constant(name + ".weight", {channels}, 1.0f);
    constant(name + ".bias", {channels}, 0.0f);
  }
  void positionIds(const std::string& name, std::int64_t count) {
    auto& ids = ints_.emplace_back();
    for (std::int64_t i = 0; i < count; ++i) ids.push_back(i);
    tensors_.push_back({name, inference::DType::I64, {1, count}, ids.data()});
  }
  Status write(const std::filesystem::path& file) const { return inference::writeSafetensors(file, tensors_); }

 private:
  template <class Generate>
  void add(const std::string& name, std::vector<std::int64_t> shape, Generate generate) {
    std::int64_t count = 1;
    for (auto side : shape) count *= side;
    auto& values = floats_.emplace_back(static_cast<std::size_t>(count));
    for (auto& value : values) value = generate();
    tensors_.push_back({name, inference::DType::F32, std::move(shape), values.data()});
  }

  std::mt19937 random_;
  std::vector<std::vector<float>> floats_;  // moving an inner vector keeps its buffer, so data pointers stay valid
  std::vector<std::vector<std::int64_t>> ints_;
  std::vector<inference::TensorToWrite> tensors_;
};

inline void resnet(TensorSet& t, const std::string& p, std::int64_t in, std::int64_t out, std::int64_t timeDim) {
  t.norm(p + ".norm1", in);
  t.conv(p + ".conv1", out, in, 3);
  if (timeDim > 0) t.linear(p + ".time_emb_proj", out, timeDim);
  t.norm(p + ".norm2", out);
  t.conv(p + ".conv2", out, out, 3);
  if (in != out) t.conv(p + ".conv_shortcut", out, in, 1);
}

inline void transformer(TensorSet& t, const std::string& p, std::int64_t c, std::int64_t context) {
  t.norm(p + ".norm", c);
  t.conv(p + ".proj_in", c, c, 1);
  const std::string b = p + ".transformer_blocks.0";
  t.norm(b + ".norm1", c);
  t.norm(b + ".norm2", c);
  t.norm(b + ".norm3", c);
  for (const char* attn : {".attn1", ".attn2"}) {
    const std::int64_t kv = std::string(attn) == ".attn1" ? c : context;
    t.linear(b + attn + ".to_q", c, c, false);
    t.linear(b + attn + ".to_k", c, kv, false);
    t.linear(b + attn + ".to_v", c, kv, false);
    t.linear(b + attn + ".to_out.0", c, c);
  }
  t.linear(b + ".ff.net.0.proj", 8 * c, c);  // GEGLU: two halves of 4c
  t.linear(b + ".ff.net.2", c, 4 * c);
  t.conv(p + ".proj_out", c, c, 1);
}

inline void vaeAttention(TensorSet& t, const std::string& p, std::int64_t c) {
  t.norm(p + ".group_norm", c);
  for (const char* name : {".to_q", ".to_k", ".to_v", ".to_out.0"}) t.linear(p + name, c, c);
}

inline Status writeText(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  out.close();
  if (!out) return makeError(ErrorKind::NoWriteAccess, "Cannot write " + file.string());
  return Ok{};
}

// UNet: block_out_channels [8, 16], one layer per block, cross-attention 16, 2 heads.
inline Status writeUnet(const std::filesystem::path& dir) {
  TensorSet t(1);
  const std::int64_t c0 = 8, c1 = 16, ctx = 16, temb = 32;
  t.conv("conv_in", c0, 4, 3);
  t.linear("time_embedding.linear_1", temb, c0);
  t.linear("time_embedding.linear_2", temb, temb);
  resnet(t, "down_blocks.0.resnets.0", c0, c0, temb);
  transformer(t, "down_blocks.0.attentions.0", c0, ctx);
  t.conv("down_blocks.0.downsamplers.0.conv", c0, c0, 3);
  resnet(t, "down_blocks.1.resnets.0", c0, c1, temb);
  resnet(t, "mid_block.resnets.0", c1, c1, temb);
  transformer(t, "mid_block.attentions.0", c1, ctx);
  resnet(t, "mid_block.resnets.1", c1, c1, temb);
  // Up blocks take the skips in reverse: 16 (down 1), 8 (downsampler); then 8 (down 0), 8 (conv_in).
  resnet(t, "up_blocks.0.resnets.0", c1 + c1, c1, temb);
  resnet(t, "up_blocks.0.resnets.1", c1 + c0, c1, temb);
  t.conv("up_blocks.0.upsamplers.0.conv", c1, c1, 3);
  resnet(t, "up_blocks.1.resnets.0", c1 + c0, c0, temb);
  resnet(t, "up_blocks.1.resnets.1", c0 + c0, c0, temb);
  transformer(t, "up_blocks.1.attentions.0", c0, ctx);
  transformer(t, "up_blocks.1.attentions.1", c0, ctx);
  t.norm("conv_norm_out", c0);
  t.conv("conv_out", 4, c0, 3);
  std::filesystem::create_directories(dir);
  if (auto written = t.write(dir / "diffusion_pytorch_model.safetensors"); !written) return written;
  return writeText(dir / "config.json", R"({"_class_name": "UNet2DConditionModel", "sample_size": 8,
  "in_channels": 4, "out_channels": 4, "flip_sin_to_cos": true, "freq_shift": 0,
  "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"], "mid_block_type": "UNetMidBlock2DCrossAttn",
  "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"], "block_out_channels": [8, 16], "layers_per_block": 1,
  "downsample_padding": 1, "mid_block_scale_factor": 1, "act_fn": "silu", "norm_num_groups": 4, "norm_eps": 1e-05,
  "cross_attention_dim": 16, "attention_head_dim": 2, "use_linear_projection": false, "upcast_attention": false})");
}

// VAE: block_out_channels [8, 8], so it scales by 2.
inline Status writeVae(const std::filesystem::path& dir) {
  TensorSet t(2);
  const std::int64_t c = 8;
  t.conv("encoder.conv_in", c, 3, 3);
  resnet(t, "encoder.down_blocks.0.resnets.0", c, c, 0);
  t.conv("encoder.down_blocks.0.downsamplers.0.conv", c, c, 3);
  resnet(t, "encoder.down_blocks.1.resnets.0", c, c, 0);
  for (const std::string side : {"encoder", "decoder"}) {
    resnet(t, side + ".mid_block.resnets.0", c, c, 0);
    vaeAttention(t, side + ".mid_block.attentions.0", c);
    resnet(t, side + ".mid_block.resnets.1", c, c, 0);
    t.norm(side + ".conv_norm_out", c);
  }
  t.conv("encoder.conv_out", 8, c, 3);
  t.conv("decoder.conv_in", c, 4, 3);
  for (int block = 0; block < 2; ++block)
    for (int layer = 0; layer < 2; ++layer)
      resnet(t, "decoder.up_blocks." + std::to_string(block) + ".resnets." + std::to_string(layer), c, c, 0);
  t.conv("decoder.up_blocks.0.upsamplers.0.conv", c, c, 3);
  t.conv("decoder.conv_out", 3, c, 3);
  t.conv("quant_conv", 8, 8, 1);
  t.conv("post_quant_conv", 4, 4, 1);
  std::filesystem::create_directories(dir);
  if (auto written = t.write(dir / "diffusion_pytorch_model.safetensors"); !written) return written;
  return writeText(dir / "config.json", R"({"_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3,
  "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"],
  "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"], "block_out_channels": [8, 8],
  "layers_per_block": 1, "act_fn": "silu", "latent_channels": 4, "norm_num_groups": 4, "sample_size": 16,
  "scaling_factor": 0.18215})");
}

inline Status writeTextEncoder(const std::filesystem::path& dir, std::int64_t vocabSize) {
  TensorSet t(3);
  const std::int64_t h = 16;
  t.random("text_model.embeddings.token_embedding.weight", {vocabSize, h});
  t.random("text_model.embeddings.position_embedding.weight", {77, h}, 0.02f);
  t.positionIds("text_model.embeddings.position_ids", 77);
  for (int layer = 0; layer < 2; ++layer) {
    const std::string p = "text_model.encoder.layers." + std::to_string(layer);
    t.norm(p + ".layer_norm1", h);
    t.norm(p + ".layer_norm2", h);
    for (const char* name : {".self_attn.q_proj", ".self_attn.k_proj", ".self_attn.v_proj", ".self_attn.out_proj"})
      t.linear(p + name, h, h);
    t.linear(p + ".mlp.fc1", 32, h);
    t.linear(p + ".mlp.fc2", h, 32);
  }
  t.norm("text_model.final_layer_norm", h);
  std::filesystem::create_directories(dir);
  if (auto written = t.write(dir / "model.safetensors"); !written) return written;
  const std::string eos = std::to_string(vocabSize - 1), bos = std::to_string(vocabSize - 2);
  return writeText(dir / "config.json", R"({"architectures": ["CLIPTextModel"], "model_type": "clip_text_model",
  "vocab_size": )" + std::to_string(vocabSize) + R"(, "hidden_size": 16, "intermediate_size": 32,
  "num_hidden_layers": 2, "num_attention_heads": 2, "max_position_embeddings": 77, "hidden_act": "quick_gelu",
  "layer_norm_eps": 1e-05, "projection_dim": 16, "bos_token_id": )" + bos + R"(, "eos_token_id": )" + eos +
                                                R"(, "pad_token_id": )" + eos + "}");
}

}  // namespace tiny_model_detail

inline Status writeTinySdModel(const std::filesystem::path& dir) {
  using namespace tiny_model_detail;
  std::error_code ec;
  std::filesystem::create_directories(dir / "scheduler", ec);
  if (ec) return makeError(ErrorKind::NoWriteAccess, "Cannot create " + dir.string() + ": " + ec.message());
  const toy::ToyVocabulary vocabulary = toy::buildToyVocabulary(
      {"a", "red", "blue", "green", "circle", "square", "cat", "on", "black", "background", "photo", "of"});
  if (auto written = toy::writeToyTokenizer(dir / "tokenizer", vocabulary); !written) return written;
  if (auto written = writeTextEncoder(dir / "text_encoder", static_cast<std::int64_t>(vocabulary.tokens.size()));
      !written)
    return written;
  if (auto written = writeUnet(dir / "unet"); !written) return written;
  if (auto written = writeVae(dir / "vae"); !written) return written;
  if (auto written = writeText(dir / "scheduler" / "scheduler_config.json", R"({"_class_name": "PNDMScheduler",
  "num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
  "prediction_type": "epsilon", "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1,
  "clip_sample": false, "timestep_spacing": "leading"})");
      !written)
    return written;
  return writeText(dir / "model_index.json", R"({"_class_name": "StableDiffusionPipeline",
  "scheduler": ["diffusers", "PNDMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
  "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
  "vae": ["diffusers", "AutoencoderKL"]})");
}

}  // namespace lanterna::testing
