#include "motion_module.h"

#include <cmath>
#include <utility>

namespace lanterna::inference {
namespace {

constexpr double kMotionNormEps = 1e-6;

void replaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

at::Tensor sinusoidalPositions(int64_t length, int64_t dim) {
  auto options = at::TensorOptions().dtype(at::kFloat);
  at::Tensor position = at::arange(length, options).unsqueeze(1);
  at::Tensor freq = at::arange(0, dim, 2, options).mul_(-std::log(10000.0) / static_cast<double>(dim)).exp_();
  at::Tensor pe = at::zeros({1, length, dim}, options);
  pe.slice(2, 0, dim, 2).copy_(at::sin(position * freq));
  pe.slice(2, 1, dim, 2).copy_(at::cos(position * freq).slice(1, 0, dim / 2));
  return pe;
}

MotionModule MotionModule::load(const Weights& w, const MotionShape& shape) {
  const int64_t c = shape.channels;
  MotionModule m;
  m.maxSequence_ = shape.maxSequence;
  m.norm_ = GroupNorm::load(w, "norm", c, shape.groups, kMotionNormEps);
  m.projIn_ = Linear::load(w, "proj_in", c, c);
  m.projOut_ = Linear::load(w, "proj_out", c, c);
  for (int64_t i = 0; w.has("transformer_blocks." + std::to_string(i) + ".norm1.weight"); ++i) {
    const Weights b = w.sub("transformer_blocks." + std::to_string(i) + ".");
    Block block;
    block.norm1 = LayerNorm::load(b, "norm1", c);
    block.norm2 = LayerNorm::load(b, "norm2", c);
    block.norm3 = LayerNorm::load(b, "norm3", c);
    block.attn1 = Attention::load(b.sub("attn1."), c, c, shape.heads, Upcast::No);
    block.attn2 = Attention::load(b.sub("attn2."), c, c, shape.heads, Upcast::No);
    block.geglu = Linear::load(b, "ff.net.0.proj", c * 8, c);
    block.ffOut = Linear::load(b, "ff.net.2", c, c * 4);
    const at::Tensor& like = block.norm1.weight;
    if (b.has("pos_embed.pe")) {
      block.pe = b.get("pos_embed.pe");
      if (block.pe.dim() != 3 || block.pe.size(2) != c)
        throw WeightsError("\"" + w.source() + "\": pos_embed.pe of block " + std::to_string(i) + " is not (1, N, " +
                           std::to_string(c) + ")");
      m.maxSequence_ = block.pe.size(1);
    } else {
      block.pe = sinusoidalPositions(shape.maxSequence, c).to(like.device(), like.scalar_type());
    }
    m.blocks_.push_back(std::move(block));
  }
  if (m.blocks_.empty())
    throw WeightsError("\"" + w.source() + "\": motion module has no transformer_blocks.0 (not a motion adapter?)");
  return m;
}

at::Tensor MotionModule::Block::operator()(at::Tensor x) const {
  const at::Tensor positions = pe.slice(1, 0, x.size(1));
  x = attn1(norm1(x) + positions, {}) + x;
  x = attn2(norm2(x) + positions, {}) + x;
  auto parts = geglu(norm3(x)).chunk(2, -1);
  return ffOut(parts[0] * at::gelu(parts[1])) + x;
}

at::Tensor MotionModule::operator()(const at::Tensor& x, int64_t frames) const {
  const int64_t batchFrames = x.size(0), c = x.size(1), height = x.size(2), width = x.size(3);
  const int64_t batch = batchFrames / frames;
  if (frames > maxSequence_)
    throw WeightsError("motion module covers at most " + std::to_string(maxSequence_) + " frames, got " +
                       std::to_string(frames));
  // GroupNorm statistics span all frames of a batch item: normalise as (B, C, F, H, W).
  at::Tensor h = x.reshape({batch, frames, c, height, width}).permute({0, 2, 1, 3, 4});
  h = norm_(h);
  h = h.permute({0, 3, 4, 2, 1}).reshape({batch * height * width, frames, c});
  h = projIn_(h);
  for (const auto& block : blocks_) h = block(h);
  h = projOut_(h);
  h = h.reshape({batch, height, width, frames, c}).permute({0, 3, 4, 1, 2}).reshape({batchFrames, c, height, width});
  return h + x;
}

bool convertOriginalMotionKeys(Weights& weights) {
  std::map<std::string, at::Tensor> converted;
  bool renamed = false;
  for (auto& [name, tensor] : weights.all()) {
    std::string key = name;
    if (key.find(".temporal_transformer.") != std::string::npos) {
      if (key.find("attention_blocks.1.pos_encoder") != std::string::npos) {  // same table as block 0's
        renamed = true;
        continue;
      }
      replaceAll(key, ".temporal_transformer.", ".");
      replaceAll(key, ".attention_blocks.0.pos_encoder.pe", ".pos_embed.pe");
      replaceAll(key, ".norms.0.", ".norm1.");
      replaceAll(key, ".norms.1.", ".norm2.");
      replaceAll(key, ".ff_norm.", ".norm3.");
      replaceAll(key, ".attention_blocks.0.", ".attn1.");
      replaceAll(key, ".attention_blocks.1.", ".attn2.");
      renamed = true;
    }
    converted.emplace(std::move(key), tensor);
  }
  weights.all() = std::move(converted);
  return renamed;
}

}  // namespace lanterna::inference
