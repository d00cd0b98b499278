// Float32 CPU kernels over channels-last (NHWC) activations, for the ops where LibTorch 1.13's own are slow or
// allocate more than needed. Used by the VAE decoder when CpuKernels::channelsLastVae is on. Internal to inference/.
//   if (isNhwcFloatCpu(x)) y = groupNormNhwc(x, w, b, 32, 1e-6, Activation::Silu, InPlace::No);
// Stateless; safe from any thread (they split their work over ATen's intra-op threads).
#pragma once

#include <cstdint>

#include <ATen/ATen.h>

namespace lanterna::inference {

enum class Activation { None, Silu };
enum class InPlace { No, Yes };

// A 4-D float32 CPU tensor laid out channels-last (and not also plain contiguous, so NCHW code keeps its path),
// with a channel count the kernels handle (a multiple of 16).
bool isNhwcFloatCpu(const at::Tensor& x);

// GroupNorm, then optionally SiLU, in one read for the statistics and one read-write for the result. Statistics are
// accumulated in double around a per-channel shift, so large means do not cancel the variance. InPlace::Yes writes
// into x (its caller must not need the input again).
at::Tensor groupNormNhwc(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, int64_t groups,
                         double eps, Activation activation, InPlace inPlace);

// Nearest x2 upsampling followed by a 3x3 convolution (padding 1) computed as one 2x2 convolution with 4x the output
// channels on the small image, one output channel block per sub-pixel phase, then interleaved: 16 instead of 36
// multiply-adds per output pixel and channel, and no upsampled copy. `phases` comes from subPixelWeights.
at::Tensor upsampleConvNhwc(const at::Tensor& x, const at::Tensor& phases, const at::Tensor& bias);

// The (4*out, in, 2, 2) weights of upsampleConvNhwc from a 3x3 (out, in, 3, 3) weight: each phase's 2x2 taps are sums
// of the 3x3 taps that read the same source pixel after nearest upsampling.
at::Tensor subPixelWeights(const at::Tensor& weight3x3);

}  // namespace lanterna::inference
