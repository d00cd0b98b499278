// A small, portable random stream for the toy world: std:: distributions differ between standard libraries, and the
// world must render the same pixels everywhere. Internal to inference/train; not thread-safe (one per sample).
#pragma once

#include <cstdint>

namespace lanterna::toy {

class ToyRandom {
 public:
  // One independent stream per (seed, sample index, stream kind).
  ToyRandom(std::uint64_t seed, std::uint64_t index, std::uint64_t stream)
      : state_(mix(mix(seed ^ 0x6c616e7465726e61ULL) ^ (index * 0x9e3779b97f4a7c15ULL) ^ (stream << 56))) {}

  std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix(state_);
  }
  // Uniform in [0, n); the modulo bias is far below anything a test could see for n < 100.
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  // Uniform in [lo, hi), from the top 24 bits so the float is exact.
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * static_cast<float>(next() >> 40) * (1.0f / 16777216.0f);
  }

 private:
  // SplitMix64's finaliser.
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::uint64_t state_;
};

}  // namespace lanterna::toy
