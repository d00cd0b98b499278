#include "resnet_block.h"

#include <c10/core/GradMode.h>

#include "mapped_pages.h"

namespace lanterna::inference {

ResnetBlock ResnetBlock::load(const Weights& w, const ResnetShape& shape) {
  ResnetBlock block;
  block.norm1_ = GroupNorm::load(w, "norm1", shape.inChannels, shape.groups, shape.eps);
  block.conv1_ = Conv2d::load(w, "conv1", shape.outChannels, shape.inChannels, 3);
  block.norm2_ = GroupNorm::load(w, "norm2", shape.outChannels, shape.groups, shape.eps);
  block.conv2_ = Conv2d::load(w, "conv2", shape.outChannels, shape.outChannels, 3);
  block.hasTime_ = shape.tembChannels > 0;
  if (block.hasTime_) block.timeProj_ = Linear::load(w, "time_emb_proj", shape.outChannels, shape.tembChannels);
  block.hasShortcut_ = shape.inChannels != shape.outChannels;
  if (block.hasShortcut_) block.shortcut_ = Conv2d::load(w, "conv_shortcut", shape.outChannels, shape.inChannels, 1);
  return block;
}

at::Tensor ResnetBlock::operator()(const at::Tensor& x, const at::Tensor& temb) const {
  at::Tensor h = conv1_(norm1_.withSilu(x));
  if (hasTime_ && temb.defined()) h = h + timeProj_(at::silu(temb)).unsqueeze(-1).unsqueeze(-1);
  h = conv2_(norm2_.withSilu(h, InPlace::Yes));  // h is this block's own tensor
  if (hasShortcut_) return shortcut_(x).add_(h);
  // Adding into conv2's fresh output saves a tensor the size of x (the same sums: addition commutes).
  return c10::GradMode::is_enabled() && h.requires_grad() ? x + h : h.add_(x);
}

Downsample Downsample::load(const Weights& w, int64_t channels, DownsamplePad pad) {
  Downsample down;
  down.pad = pad;
  down.conv = Conv2d::load(w, "conv", channels, channels, 3, 2, pad == DownsamplePad::Symmetric ? 1 : 0);
  return down;
}

at::Tensor Downsample::operator()(const at::Tensor& x) const {
  if (pad == DownsamplePad::RightBottom) return conv(at::constant_pad_nd(x, {0, 1, 0, 1}, 0));
  return conv(x);
}

Upsample Upsample::load(const Weights& w, int64_t channels, SubPixel subPixel) {
  Upsample up{Conv2d::load(w, "conv", channels, channels, 3), {}};
  const at::Tensor& weight = up.conv.weight;
  // The phases are derived once from the weight: a weight being trained (requires_grad) would leave them stale.
  if (subPixel == SubPixel::Yes && weight.numel() > 0 && weight.is_cpu() && weight.scalar_type() == at::kFloat &&
      !weight.requires_grad()) {
    up.phases = subPixelWeights(weight);
    releaseMappedPages(weight);  // read again only by the NCHW path
  }
  return up;
}

at::Tensor Upsample::operator()(const at::Tensor& x, at::IntArrayRef size) const {
  if (phases.defined() && size.empty() && isNhwcFloatCpu(x) && cpuKernels().channelsLastVae)
    return upsampleConvNhwc(x, phases, conv.bias);
  // Nearest upsampling in half precision is not implemented on every backend of LibTorch 1.13; float32 is exact.
  const auto type = x.scalar_type();
  at::Tensor src = type == at::kBFloat16 ? x.to(at::kFloat) : x;
  at::Tensor up = size.empty() ? at::upsample_nearest2d(src, {x.size(2) * 2, x.size(3) * 2})
                                : at::upsample_nearest2d(src, size);
  return conv(up.to(type));
}

}  // namespace lanterna::inference
