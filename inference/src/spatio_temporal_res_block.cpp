#include "spatio_temporal_res_block.h"

namespace lanterna::inference {
namespace {

constexpr int64_t kGroups = 32;  // diffusers hardcodes 32 groups in these blocks

}  // namespace

AlphaBlender AlphaBlender::load(const Weights& w, const std::string& name, BlendOrder order) {
  return AlphaBlender{w.get(name + ".mix_factor", {1}), order};
}

at::Tensor AlphaBlender::operator()(const at::Tensor& spatial, const at::Tensor& temporal) const {
  at::Tensor alpha = at::sigmoid(mixFactor).to(spatial.scalar_type());
  if (order == BlendOrder::Switched) alpha = 1.0 - alpha;
  return alpha * spatial + (1.0 - alpha) * temporal;
}

TemporalConv TemporalConv::load(const Weights& w, const std::string& name, int64_t out, int64_t in, int64_t kernel) {
  return TemporalConv{w.get(name + ".weight", {out, in, kernel, 1, 1}), w.get(name + ".bias", {out})};
}

at::Tensor TemporalConv::operator()(const at::Tensor& x) const {
  return at::conv3d(x, weight, bias, {1, 1, 1}, {weight.size(2) / 2, 0, 0});
}

SpatioTemporalResBlock SpatioTemporalResBlock::load(const Weights& w, const SpatioTemporalShape& shape) {
  const int64_t out = shape.outChannels;
  SpatioTemporalResBlock block;
  block.spatial_ = ResnetBlock::load(w.sub("spatial_res_block."),
                                     {shape.inChannels, out, shape.tembChannels, kGroups, shape.spatialEps});
  const Weights t = w.sub("temporal_res_block.");
  if (t.has("conv_shortcut.weight"))
    throw WeightsError("\"" + w.source() + "\": temporal resnets that change channels are not supported");
  block.norm1_ = GroupNorm::load(t, "norm1", out, kGroups, shape.temporalEps);
  block.conv1_ = TemporalConv::load(t, "conv1", out, out);
  block.norm2_ = GroupNorm::load(t, "norm2", out, kGroups, shape.temporalEps);
  block.conv2_ = TemporalConv::load(t, "conv2", out, out);
  block.hasTime_ = shape.tembChannels > 0;
  if (block.hasTime_) block.timeProj_ = Linear::load(t, "time_emb_proj", out, shape.tembChannels);
  block.mixer_ = AlphaBlender::load(w, "time_mixer", shape.order);
  return block;
}

at::Tensor SpatioTemporalResBlock::operator()(const at::Tensor& x, const at::Tensor& temb, int64_t frames) const {
  at::Tensor h = spatial_(x, temb);
  const int64_t batchFrames = h.size(0), c = h.size(1), height = h.size(2), width = h.size(3);
  const int64_t batch = batchFrames / frames;
  // (B*F, C, H, W) -> (B, C, F, H, W) for the temporal resnet.
  at::Tensor mix = h.reshape({batch, frames, c, height, width}).permute({0, 2, 1, 3, 4});
  at::Tensor t = conv1_(at::silu(norm1_(mix)));
  if (hasTime_ && temb.defined()) {
    at::Tensor proj = timeProj_(at::silu(temb.reshape({batch, frames, -1})));  // (B, F, C)
    t = t + proj.permute({0, 2, 1}).unsqueeze(-1).unsqueeze(-1);
  }
  t = mix + conv2_(at::silu(norm2_(t)));
  return mixer_(mix, t).permute({0, 2, 1, 3, 4}).reshape({batchFrames, c, height, width});
}

}  // namespace lanterna::inference
