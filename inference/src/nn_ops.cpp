#include "nn_ops.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>

#include "mapped_pages.h"

#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif
#ifndef TORCH_VERSION_MAJOR
#define TORCH_VERSION_MAJOR 1
#endif

namespace lanterna::inference {
namespace {

at::Tensor optionalBias(const Weights& w, const std::string& name, int64_t channels, bool hasBias) {
  if (!hasBias) return {};
  return w.get(name + ".bias", {channels});
}

bool isHalfLike(at::ScalarType type) { return type == at::kHalf || type == at::kBFloat16; }

CpuKernels& kernelChoice() {
  static CpuKernels kernels;
  return kernels;
}

thread_local bool denseConvWeightsOnly = false;

bool tracksGradient(const at::Tensor& x) { return c10::GradMode::is_enabled() && x.requires_grad(); }

// Reorders a float32 CPU convolution weight (OIHW) into oneDNN's blocked layout, then
// keeps one copy resident: a file-borrowed dense weight gives its pages back; a converted one (fp16 file) is
// replaced by an empty tensor that still answers dtype/device, and the rare dense call unpacks the packed copy.
// Returns an undefined tensor (nothing packed, dense untouched) when the weight does not qualify.
at::Tensor packForOneDnn(at::Tensor& dense, at::IntArrayRef oihw, int64_t padding, int64_t stride) {
  if (!dense.is_cpu() || dense.scalar_type() != at::kFloat || dense.requires_grad() || !dense.is_contiguous() ||
      !at::hasMKLDNN())
    return {};
  at::Tensor packed =
      at::mkldnn_reorder_conv2d_weight(dense.view(oihw).to_mkldnn(), {padding, padding}, {stride, stride}, {1, 1}, 1);
  if (!releaseMappedPages(dense)) dense = at::empty({0}, dense.options());
  return packed;
}

// Below this many rows the weight reorder oneDNN does on every call costs more than the faster GEMM saves.
constexpr int64_t kOneDnnLinearMinRows = 256;

// x (..., in) viewed as a channels-last image [1, in, rows, 1]: memory is the same, so no copy in or out.
// (A weight prepacked like Conv2d's is no faster here: oneDNN then writes NCHW and the result needs a transposing
// copy; measured in docs/performance.md.)
at::Tensor linearAsConv(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  const int64_t in = weight.size(1), out = weight.size(0), rows = x.numel() / in;
  at::Tensor image = x.as_strided({1, in, rows, 1}, {rows * in, 1, in, in});
  at::Tensor y = at::conv2d(image, weight.view({out, in, 1, 1}), bias);
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape.back() = out;
  return y.permute({0, 2, 3, 1}).reshape(shape);  // a view when oneDNN kept channels-last, else one copy
}

// One head's scores for a chunk of queries stay about this size, so softmax and the second GEMM read them from cache.
constexpr int64_t kAttentionBlockBytes = int64_t{2} << 20;

// Float32 CPU attention over (batch, head, query chunk) tasks, split between threads; each task runs single-threaded
// GEMMs on strided views of q/k/v and writes its slice of the (B, Tq, heads*D) output in place.
at::Tensor cacheBlockedAttention(const at::Tensor& qIn, const at::Tensor& kIn, const at::Tensor& vIn, int64_t heads,
                                 int64_t maxScoreBytes) {
  const int64_t batch = qIn.size(0), queries = qIn.size(1), keys = kIn.size(1), channels = qIn.size(2);
  const int64_t headDim = channels / heads;
  const at::Tensor q = qIn.mul(1.0 / std::sqrt(static_cast<double>(headDim)));  // scaled once, not per score
  const at::Tensor k = kIn.contiguous(), v = vIn.contiguous();
  const int64_t blockBytes = std::min(kAttentionBlockBytes, maxScoreBytes);
  const int64_t chunk = std::clamp<int64_t>(blockBytes / (keys * int64_t{sizeof(float)}), 1, queries);
  const int64_t chunks = (queries + chunk - 1) / chunk;
  at::Tensor out = at::empty({batch, queries, channels}, q.options());
  at::parallel_for(0, batch * heads * chunks, 1, [&](int64_t begin, int64_t end) {
    at::Tensor scores = at::empty({chunk, keys}, q.options());
    for (int64_t task = begin; task < end; ++task) {
      const int64_t b = task / (heads * chunks), h = task / chunks % heads, start = task % chunks * chunk;
      const int64_t rows = std::min(chunk, queries - start);
      auto head = [&](const at::Tensor& t) { return t.select(0, b).narrow(1, h * headDim, headDim); };
      at::Tensor s = scores.narrow(0, 0, rows);
      at::mm_out(s, head(q).narrow(0, start, rows), head(k).t());
      at::_softmax_out(s, s, -1, false);
      at::Tensor o = head(out).narrow(0, start, rows);
      at::mm_out(o, s, head(v));
    }
  });
  return out;
}

}  // namespace

CpuKernels cpuKernels() { return kernelChoice(); }
void setCpuKernels(const CpuKernels& kernels) { kernelChoice() = kernels; }

DenseConvWeightsScope::DenseConvWeightsScope() : previous_(denseConvWeightsOnly) { denseConvWeightsOnly = true; }
DenseConvWeightsScope::~DenseConvWeightsScope() { denseConvWeightsOnly = previous_; }

Conv2d Conv2d::load(const Weights& w, const std::string& name, int64_t outChannels, int64_t inChannels,
                    int64_t kernel, int64_t stride, int64_t padding, bool hasBias) {
  Conv2d conv;
  conv.weight = w.get(name + ".weight", {outChannels, inChannels, kernel, kernel});
  conv.bias = optionalBias(w, name, outChannels, hasBias);
  conv.stride = stride;
  conv.padding = padding < 0 ? kernel / 2 : padding;
  if (kernelChoice().prepackedConvWeights && !denseConvWeightsOnly)
    conv.packed = packForOneDnn(conv.weight, conv.weight.sizes().vec(), conv.padding, stride);
  return conv;
}

at::Tensor Conv2d::denseWeight() const {
  return weight.numel() == 0 && packed.defined() ? packed.to_dense() : weight;
}

at::Tensor Conv2d::operator()(const at::Tensor& x) const {
  const bool usePacked = packed.defined() && kernelChoice().prepackedConvWeights && x.is_cpu() &&
                         x.scalar_type() == at::kFloat && x.dim() == 4 && !tracksGradient(x);
  // oneDNN takes NHWC activations only with a dense weight; a packed one would turn the output back to NCHW.
  const bool nhwc = isNhwcFloatCpu(x);
  if (usePacked && !(nhwc && weight.numel() > 0)) {
    at::Tensor y = at::mkldnn_convolution(x, packed, bias, {padding, padding}, {stride, stride}, {1, 1}, 1);
    return nhwc ? y.contiguous(at::MemoryFormat::ChannelsLast) : y;
  }
  return at::conv2d(x, denseWeight(), bias, {stride, stride}, {padding, padding});
}

Linear Linear::load(const Weights& w, const std::string& name, int64_t outFeatures, int64_t inFeatures,
                    bool hasBias) {
  Linear linear;
  linear.weight = w.get(name + ".weight", {outFeatures, inFeatures});
  linear.bias = optionalBias(w, name, outFeatures, hasBias);
  return linear;
}

at::Tensor Linear::operator()(const at::Tensor& x) const {
  const bool oneDnn = kernelChoice().linearViaOneDnn && x.is_cpu() && x.scalar_type() == at::kFloat &&
                      weight.scalar_type() == at::kFloat && x.is_contiguous() && weight.is_contiguous() &&
                      x.numel() >= kOneDnnLinearMinRows * weight.size(1) && at::hasMKLDNN();
  return oneDnn ? linearAsConv(x, weight, bias) : at::linear(x, weight, bias);
}

GroupNorm GroupNorm::load(const Weights& w, const std::string& name, int64_t channels, int64_t groups, double eps) {
  if (groups <= 0 || channels % groups != 0)
    throw WeightsError("\"" + w.source() + "\": " + std::to_string(channels) + " channels of \"" + name +
                       "\" do not split into " + std::to_string(groups) + " groups (wrong config).");
  GroupNorm norm;
  norm.weight = w.get(name + ".weight", {channels});
  norm.bias = w.get(name + ".bias", {channels});
  norm.groups = groups;
  norm.eps = eps;
  return norm;
}

at::Tensor GroupNorm::operator()(const at::Tensor& x) const {
  if (isNhwcFloatCpu(x))  // LibTorch 1.13's own NHWC GroupNorm is 2-20x slower than NCHW
    return groupNormNhwc(x, weight, bias, groups, eps, Activation::None, InPlace::No);
  return at::group_norm(x, groups, weight, bias, eps);
}

at::Tensor GroupNorm::withSilu(const at::Tensor& x, InPlace inPlace) const {
  if (isNhwcFloatCpu(x))  // LibTorch 1.13's own NHWC GroupNorm is 2-20x slower than NCHW
    return groupNormNhwc(x, weight, bias, groups, eps, Activation::Silu, tracksGradient(x) ? InPlace::No : inPlace);
  at::Tensor y = at::group_norm(x, groups, weight, bias, eps);
  return tracksGradient(y) ? at::silu(y) : at::silu_(y);
}

LayerNorm LayerNorm::load(const Weights& w, const std::string& name, int64_t channels, double eps) {
  LayerNorm norm;
  norm.weight = w.get(name + ".weight", {channels});
  norm.bias = w.get(name + ".bias", {channels});
  norm.eps = eps;
  return norm;
}

at::Tensor LayerNorm::operator()(const at::Tensor& x) const {
  return at::layer_norm(x, {weight.size(0)}, weight, bias, eps);
}

at::Tensor multiHeadAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, int64_t heads,
                              Upcast upcast, int64_t maxScoreBytes) {
  const bool upcastNow = upcast == Upcast::Yes && isHalfLike(q.scalar_type());
#if TORCH_VERSION_MAJOR < 2
  // The blocked kernel writes through out= arguments, which autograd cannot follow: training takes the plain path.
  const bool tracksGradients = c10::GradMode::is_enabled() &&
                               (q.requires_grad() || k.requires_grad() || v.requires_grad());
  if (kernelChoice().cacheBlockedAttention && !tracksGradients && q.is_cpu() && q.scalar_type() == at::kFloat &&
      k.scalar_type() == at::kFloat && v.scalar_type() == at::kFloat && q.stride(2) == 1)
    return cacheBlockedAttention(q, k, v, heads, maxScoreBytes);
#endif
  const int64_t batch = q.size(0), queries = q.size(1), keys = k.size(1), channels = q.size(2);
  const int64_t headDim = channels / heads;
  // (B, T, heads*D) -> (B, heads, T, D)
  auto split = [&](const at::Tensor& t) { return t.view({batch, t.size(1), heads, headDim}).transpose(1, 2); };
  at::Tensor qh = split(q), kh = split(k), vh = split(v);
  at::Tensor out;
#if TORCH_VERSION_MAJOR >= 2
  (void)maxScoreBytes;  // the fused kernel never materialises the score matrix
  if (upcastNow) {
    out = at::scaled_dot_product_attention(qh.to(at::kFloat), kh.to(at::kFloat), vh.to(at::kFloat))
              .to(q.scalar_type());
  } else {
    out = at::scaled_dot_product_attention(qh, kh, vh);
  }
#else
  const double scale = 1.0 / std::sqrt(static_cast<double>(headDim));
  if (upcastNow) {
    qh = qh.to(at::kFloat);
    kh = kh.to(at::kFloat);
  }
  at::Tensor kt = kh.transpose(-1, -2);
  const int64_t scoreElementBytes = at::elementSize(qh.scalar_type());
  const int64_t perQueryBytes = std::max<int64_t>(1, batch * heads * keys * scoreElementBytes);
  const int64_t chunk = std::clamp<int64_t>(maxScoreBytes / perQueryBytes, 1, queries);
  if (chunk >= queries) {
    at::Tensor probs = at::matmul(qh, kt).mul_(scale).softmax(-1).to(vh.scalar_type());
    out = at::matmul(probs, vh);
  } else {
    out = at::empty({batch, heads, queries, headDim}, vh.options());
    for (int64_t start = 0; start < queries; start += chunk) {
      const int64_t end = std::min(queries, start + chunk);
      at::Tensor probs = at::matmul(qh.slice(2, start, end), kt).mul_(scale).softmax(-1).to(vh.scalar_type());
      out.slice(2, start, end).copy_(at::matmul(probs, vh));
    }
  }
#endif
  return out.transpose(1, 2).reshape({batch, queries, channels});
}

at::Tensor timestepEmbedding(const at::Tensor& timesteps, int64_t dim, bool flipSinToCos,
                             double downscaleFreqShift) {
  const int64_t half = dim / 2;
  auto options = at::TensorOptions().dtype(at::kFloat).device(timesteps.device());
  at::Tensor exponent = at::arange(half, options).mul_(-std::log(10000.0)).div_(half - downscaleFreqShift);
  at::Tensor args = timesteps.to(at::kFloat).unsqueeze(1) * exponent.exp().unsqueeze(0);
  at::Tensor emb = flipSinToCos ? at::cat({args.cos(), args.sin()}, 1) : at::cat({args.sin(), args.cos()}, 1);
  if (dim % 2 == 1) emb = at::constant_pad_nd(emb, {0, 1});
  return emb;
}

}  // namespace lanterna::inference
