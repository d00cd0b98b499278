// Building blocks shared by the UNet, the VAEs and the motion/temporal models: functional ATen ops over tensors
// borrowed from Weights (no copies, no nn::Module). Internal to inference/.
//   Conv2d conv = Conv2d::load(w, "conv_in", 16, 4, 3);      // checks shapes, throws WeightsError
//   at::Tensor y = conv(x);
// All structs are read-only after loading and may be shared between threads.
#pragma once

#include <cstdint>
#include <string>

#include <ATen/ATen.h>

#include "nhwc_kernels.h"
#include "weights.h"

namespace lanterna::inference {

struct Conv2d {
  // bias undefined when the layer has none. weight is empty (numel 0, same dtype/device) when only the packed copy
  // is kept: read it through denseWeight().
  at::Tensor weight, bias;
  // CPU float32: the weight once reordered into oneDNN's blocked layout (an mkldnn tensor), so a call does not
  // reorder it again. Undefined when not prepacked (other dtypes/devices, trainable weights, kernel switched off).
  at::Tensor packed;
  int64_t stride = 1;
  int64_t padding = 0;
  static Conv2d load(const Weights& w, const std::string& name, int64_t outChannels, int64_t inChannels,
                     int64_t kernel, int64_t stride = 1, int64_t padding = -1, bool hasBias = true);
  at::Tensor operator()(const at::Tensor& x) const;
  at::Tensor denseWeight() const;
};

// Which CPU kernels the ops use; process-wide. Defaults follow what was measured (docs/performance.md): paths not
// yet shown faster stay off. The benchmark flips them to compare variants in one process; the tests check each fast
// path against the plain one.
struct CpuKernels {
  // Float32 Linear layers with many rows as a channels-last 1x1 convolution: oneDNN's GEMM runs at about twice
  // the rate of the OpenBLAS build LibTorch ships with, and the layout makes it copy-free both ways.
  // On: -8% per 256^2 step on a quiet machine, and 1.3-2x per large layer in micro-benchmarks.
  bool linearViaOneDnn = true;
  // Float32 attention one head and one query chunk at a time, scores kept cache-sized, softmax in place, q/k/v read
  // and the output written through strided views (no head split/merge copies). LibTorch 1.x only (2.x: SDPA).
  // On: as fast as the unfused path in the measurements, and 2 MB of scores per thread instead of up to 256 MB.
  bool cacheBlockedAttention = true;
  // Float32 CPU UNet activations in channels-last (NHWC): oneDNN convolutions skip their layout reorders and the
  // transformers' NCHW <-> tokens permutes become views.
  bool channelsLastUNet = false;
  // Float32 CPU convolutions with their weights reordered into oneDNN's blocked layout once, at load, instead of on
  // every call: that reorder dominates the small-image convolutions (1280 channels on 4x4 or 8x8 pixels at 256^2).
  // Read at load (a model loaded with it off has no packed weights) and at each call.
  bool prepackedConvWeights = true;
  // Float32 CPU VAE decoder in channels-last (NHWC) end to end: oneDNN convolutions without layout reorders (on
  // dense weights: oneDNN's NHWC path takes no prepacked weight in LibTorch 1.13), GroupNorm+SiLU fused over NHWC,
  // nearest-x2 upsampling and its convolution as one sub-pixel convolution. Read at load (the decoder then keeps
  // dense weights and the sub-pixel ones) and at each decode.
  bool channelsLastVae = true;
  // Float32 CPU VAE decode with large freed blocks kept for reuse (CpuBlockCacheScope) instead of returned to the
  // system and faulted in again, page by page, for the next activation.
  bool cpuBlockCache = true;
};
CpuKernels cpuKernels();
void setCpuKernels(const CpuKernels& kernels);

// While one lives, Conv2d::load on this thread keeps dense weights whatever CpuKernels says (the NHWC VAE decoder).
class DenseConvWeightsScope {
 public:
  DenseConvWeightsScope();
  ~DenseConvWeightsScope();
  DenseConvWeightsScope(const DenseConvWeightsScope&) = delete;
  DenseConvWeightsScope& operator=(const DenseConvWeightsScope&) = delete;

 private:
  bool previous_;
};

struct Linear {
  at::Tensor weight, bias;
  static Linear load(const Weights& w, const std::string& name, int64_t outFeatures, int64_t inFeatures,
                     bool hasBias = true);
  at::Tensor operator()(const at::Tensor& x) const;
};

struct GroupNorm {
  at::Tensor weight, bias;
  int64_t groups = 32;
  double eps = 1e-5;
  static GroupNorm load(const Weights& w, const std::string& name, int64_t channels, int64_t groups, double eps);
  at::Tensor operator()(const at::Tensor& x) const;
  // GroupNorm then SiLU: fused over NHWC; elsewhere SiLU runs in place on the norm's fresh output. InPlace::Yes may
  // also overwrite x (when the caller no longer needs it and no gradient is tracked).
  at::Tensor withSilu(const at::Tensor& x, InPlace inPlace = InPlace::No) const;
};

struct LayerNorm {
  at::Tensor weight, bias;
  double eps = 1e-5;
  static LayerNorm load(const Weights& w, const std::string& name, int64_t channels, double eps = 1e-5);
  at::Tensor operator()(const at::Tensor& x) const;
};

enum class Upcast { No, Yes };

// Multi-head scaled dot-product attention. q: (B, Tq, heads*D), k/v: (B, Tk, heads*D) -> (B, Tq, heads*D).
// Computes in query chunks so the score matrix stays under ~256 MB; Upcast::Yes computes scores and softmax in
// float32 for half inputs (SD2.1). Uses at::scaled_dot_product_attention on LibTorch >= 2.
constexpr int64_t kMaxAttentionScoreBytes = int64_t{256} << 20;
at::Tensor multiHeadAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, int64_t heads,
                              Upcast upcast = Upcast::No, int64_t maxScoreBytes = kMaxAttentionScoreBytes);

// Sinusoidal timestep embedding as diffusers' Timesteps: (N) -> (N, dim), computed in float32.
at::Tensor timestepEmbedding(const at::Tensor& timesteps, int64_t dim, bool flipSinToCos, double downscaleFreqShift);

}  // namespace lanterna::inference
