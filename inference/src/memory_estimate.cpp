#include "memory_estimate.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace lanterna::inference {
namespace {

constexpr std::uint64_t kUnetLiveMaps = 30;         // skip connections kept for the up path, plus work tensors
constexpr std::uint64_t kUnetChannels = 320;        // the widest map at full latent resolution (SD 1.x/2.x)
constexpr std::uint64_t kVaeDecoderChannels = 128;  // the decoder's last block, at full pixel resolution
constexpr std::uint64_t kVaeLiveMaps = 4;           // input, two convolutions, the residual
constexpr std::uint64_t kScoreChunkCapBytes = 1ull << 30;  // attention scores are computed in chunks below this
constexpr std::uint64_t kOverheadBytes = 256ull << 20;     // tokenizer, text encoder, allocator slack

}  // namespace

std::uint64_t estimateGenerationBytes(const GenerationRequest& request, int elementBytes) {
  const std::uint64_t element = static_cast<std::uint64_t>(std::max(1, elementBytes));
  const std::uint64_t frames = static_cast<std::uint64_t>(std::max(1, request.frames));
  const std::uint64_t pixels = static_cast<std::uint64_t>(std::max(0, request.width)) *
                               static_cast<std::uint64_t>(std::max(0, request.height));
  const std::uint64_t tokens = pixels / 64;  // latent positions
  const std::uint64_t guidanceBatch = request.cfgScale > 1.0 ? 2 : 1;
  const std::uint64_t unet = guidanceBatch * frames * tokens * kUnetChannels * element * kUnetLiveMaps;
  const std::uint64_t scores = std::min<std::uint64_t>(kScoreChunkCapBytes, guidanceBatch * 8 * tokens * tokens * element);
  const std::uint64_t vae = frames * pixels * kVaeDecoderChannels * element * kVaeLiveMaps;
  return std::max(unet + scores, vae) + kOverheadBytes;
}

std::optional<std::uint64_t> availableMemoryBytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t kilobytes = 0;
  std::string unit;
  while (meminfo >> key >> kilobytes >> unit)
    if (key == "MemAvailable:") return kilobytes * 1024;
  return std::nullopt;
}

std::string formatGigabytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GB", static_cast<double>(bytes) / 1e9);
  return text;
}

}  // namespace lanterna::inference
