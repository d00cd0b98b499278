#include "nhwc_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <vector>

#include <ATen/Parallel.h>

// The helpers below take and return 16-float vectors but are always inlined into the clones, so no call ever
// crosses the ABI that GCC warns about.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace lanterna::inference {
namespace {

// 16 floats: one AVX-512 register, two AVX2 ones. GCC lowers these to what each clone below targets.
typedef float Vec __attribute__((vector_size(64)));
typedef int32_t VecInt __attribute__((vector_size(64)));
constexpr int64_t kLanes = 16;

// Built for AVX-512, AVX2 and plain x86-64; the loader picks the best the CPU runs. Elsewhere: the default target.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LANTERNA_CLONES __attribute__((target_clones("avx512f", "arch=x86-64-v3", "default")))
#else
#define LANTERNA_CLONES
#endif

[[gnu::always_inline]] inline Vec load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
[[gnu::always_inline]] inline void store(float* p, Vec v) { std::memcpy(p, &v, sizeof v); }
[[gnu::always_inline]] inline Vec splat(float f) { return Vec{} + f; }

// exp(x) for x <= 88: 2^n * e^r with |r| <= ln2/2 and a degree-6 Taylor polynomial (relative error ~2e-7).
[[gnu::always_inline]] inline Vec expVec(Vec x) {
  x = x < splat(-87.0f) ? splat(-87.0f) : x;
  const Vec magic = splat(12582912.0f);  // 1.5 * 2^23: adding it rounds to an integer
  const Vec n = (x * splat(1.44269504f) + magic) - magic;
  const Vec r = x - n * splat(0.693145752f) - n * splat(1.42860677e-6f);
  Vec p = splat(1.0f / 720);
  p = p * r + splat(1.0f / 120);
  p = p * r + splat(1.0f / 24);
  p = p * r + splat(1.0f / 6);
  p = p * r + splat(0.5f);
  p = p * r + splat(1.0f);
  p = p * r + splat(1.0f);
  const VecInt bits = (__builtin_convertvector(n, VecInt) + 127) << 23;
  Vec scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// Adds, per channel, the sum and sum of squares of (x - shift) over `pixels` rows of `channels` floats.
LANTERNA_CLONES
void accumulateStats(const float* x, int64_t pixels, int64_t channels, const float* shift, double* sum,
                     double* sumSq) {
  constexpr int64_t kChunk = 32;  // float partial sums over at most 32 pixels, then into double
  std::vector<float> s1(channels), s2(channels);
  for (int64_t begin = 0; begin < pixels; begin += kChunk) {
    std::fill(s1.begin(), s1.end(), 0.0f);
    std::fill(s2.begin(), s2.end(), 0.0f);
    const int64_t end = std::min(pixels, begin + kChunk);
    for (int64_t p = begin; p < end; ++p) {
      const float* row = x + p * channels;
      for (int64_t c = 0; c < channels; c += kLanes) {
        const Vec d = load(row + c) - load(shift + c);
        store(s1.data() + c, load(s1.data() + c) + d);
        store(s2.data() + c, load(s2.data() + c) + d * d);
      }
    }
    for (int64_t c = 0; c < channels; ++c) {
      sum[c] += s1[c];
      sumSq[c] += s2[c];
    }
  }
}

// y = x * scale + shift per channel, then SiLU when asked, over `pixels` rows.
LANTERNA_CLONES
void normalizeRows(const float* x, float* y, int64_t pixels, int64_t channels, const float* scale,
                   const float* shift, bool silu) {
  for (int64_t p = 0; p < pixels; ++p) {
    const float* in = x + p * channels;
    float* out = y + p * channels;
    for (int64_t c = 0; c < channels; c += kLanes) {
      Vec v = load(in + c) * load(scale + c) + load(shift + c);
      if (silu) v = v / (splat(1.0f) + expVec(-v));
      store(out + c, v);
    }
  }
}

}  // namespace

bool isNhwcFloatCpu(const at::Tensor& x) {
  return x.dim() == 4 && x.is_cpu() && x.scalar_type() == at::kFloat && x.size(1) % kLanes == 0 &&
         x.is_contiguous(at::MemoryFormat::ChannelsLast) && !x.is_contiguous() && !x.requires_grad();
}

at::Tensor groupNormNhwc(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, int64_t groups,
                         double eps, Activation activation, InPlace inPlace) {
  const int64_t batch = x.size(0), channels = x.size(1), pixels = x.size(2) * x.size(3);
  const int64_t perGroup = channels / groups;
  at::Tensor out = inPlace == InPlace::Yes ? x : at::empty_like(x, at::MemoryFormat::ChannelsLast);
  const at::Tensor gamma = weight.to(at::kFloat).contiguous(), beta = bias.to(at::kFloat).contiguous();
  const float* gammaData = gamma.data_ptr<float>();
  const float* betaData = beta.data_ptr<float>();
  const int64_t grain = std::max<int64_t>(64, (int64_t{1} << 16) / channels);
  std::vector<float> scale(channels), shift(channels);
  for (int64_t n = 0; n < batch; ++n) {
    const float* in = x.data_ptr<float>() + n * pixels * channels;
    float* result = out.data_ptr<float>() + n * pixels * channels;
    // 1. Per-channel sums around the first pixel's value (close to the mean, so the variance does not cancel).
    std::vector<float> pivot(in, in + channels);
    std::vector<double> sum(channels, 0.0), sumSq(channels, 0.0);
    std::mutex merge;
    at::parallel_for(0, pixels, grain, [&](int64_t begin, int64_t end) {
      std::vector<double> s1(channels, 0.0), s2(channels, 0.0);
      accumulateStats(in + begin * channels, end - begin, channels, pivot.data(), s1.data(), s2.data());
      std::lock_guard<std::mutex> lock(merge);
      for (int64_t c = 0; c < channels; ++c) sum[c] += s1[c], sumSq[c] += s2[c];
    });
    // 2. Group statistics, folded with the affine parameters into one scale and shift per channel.
    for (int64_t g = 0; g < groups; ++g) {
      double mean = 0, meanSq = 0;
      for (int64_t c = g * perGroup; c < (g + 1) * perGroup; ++c) {
        const double m = sum[c] / pixels;  // mean of (x - pivot)
        mean += pivot[c] + m;
        meanSq += sumSq[c] / pixels - m * m + (pivot[c] + m) * (pivot[c] + m);
      }
      mean /= perGroup;
      const double variance = std::max(0.0, meanSq / perGroup - mean * mean);
      const double invStd = 1.0 / std::sqrt(variance + eps);
      for (int64_t c = g * perGroup; c < (g + 1) * perGroup; ++c) {
        scale[c] = static_cast<float>(gammaData[c] * invStd);
        shift[c] = static_cast<float>(betaData[c] - mean * gammaData[c] * invStd);
      }
    }
    // 3. Normalize (and activate) in one pass.
    at::parallel_for(0, pixels, grain, [&](int64_t begin, int64_t end) {
      normalizeRows(in + begin * channels, result + begin * channels, end - begin, channels, scale.data(),
                    shift.data(), activation == Activation::Silu);
    });
  }
  return out;
}

at::Tensor subPixelWeights(const at::Tensor& weight3x3) {
  // Rows (and columns) of the 3x3 kernel that land on source offset t = 0, 1 for sub-pixel phase a = 0, 1.
  const at::Tensor phaseTaps = at::tensor({1., 0., 0., 0., 1., 1., 1., 1., 0., 0., 0., 1.}, at::kDouble).view({2, 2, 3});
  const at::Tensor w = weight3x3.to(at::kDouble);
  std::vector<at::Tensor> phases;
  for (int64_t a = 0; a < 2; ++a)
    for (int64_t b = 0; b < 2; ++b)  // K = A_a W A_b^T over the two spatial dims
      phases.push_back(at::matmul(at::matmul(phaseTaps[a], w), phaseTaps[b].t()));
  return at::cat(phases, 0).to(weight3x3.scalar_type()).contiguous();
}

at::Tensor upsampleConvNhwc(const at::Tensor& x, const at::Tensor& phases, const at::Tensor& bias) {
  const int64_t batch = x.size(0), height = x.size(2), width = x.size(3), channels = phases.size(0) / 4;
  const at::Tensor bias4 = bias.defined() ? bias.repeat({4}) : at::Tensor();
  // Output pixel (p, q) of the padded 2x2 convolution reads source rows p-1, p and columns q-1, q; phase (a, b) of
  // source pixel (i, j) is output (i + a, j + b) in channel block 2a + b.
  const at::Tensor y = at::conv2d(x, phases, bias4, {1, 1}, {1, 1}).permute({0, 2, 3, 1}).contiguous();
  const int64_t rowStride = (width + 1) * 4 * channels;
  const at::Tensor interleaved =
      y.as_strided({batch, height, 2, width, 2, channels},
                   {y.stride(0), rowStride, rowStride + 2 * channels, 4 * channels, 5 * channels, 1},
                   y.storage_offset())
          .contiguous();
  return interleaved.view({batch, 2 * height, 2 * width, channels}).permute({0, 3, 1, 2});
}

}  // namespace lanterna::inference
