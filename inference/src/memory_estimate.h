// Refuses a CPU generation that cannot fit before it starts, instead of letting the OOM killer end the process.
//   const std::uint64_t need = estimateGenerationBytes(request, 4);      // fp32 activations
//   if (auto free = availableMemoryBytes(); free && need > *free) ...    // MemAvailable from /proc/meminfo
// Pure functions apart from reading /proc/meminfo; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lanterna/inference/engine.h"

namespace lanterna::inference {

// Peak bytes of activations for one request (weights are already resident and not counted). Deliberately rough:
// it follows the largest live tensors — UNet feature maps for both CFG halves, the chunked attention scores, and
// the VAE decoder's full-resolution feature maps — so it is within a small factor of the real peak.
std::uint64_t estimateGenerationBytes(const GenerationRequest& request, int elementBytes);

// MemAvailable of /proc/meminfo (what can be allocated without swapping); nullopt where it cannot be read.
std::optional<std::uint64_t> availableMemoryBytes();

// "1.2 GB"
std::string formatGigabytes(std::uint64_t bytes);

}  // namespace lanterna::inference
