// The UNet and motion stages train on VAE latents of toy scenes: rendering a scene and encoding it costs far more
// on a CPU than the UNet step that uses it, so a run renders and encodes a fixed set of scenes once, in parallel,
// and every step then draws its batch from that cache. Usage:
//   Status built = buildLatentCache(vae, tokenize, {.seed = 1, .scenes = 32768}, run / kLatentCacheFile, log);
//   Result<LatentCache> cache = loadLatentCache(run / kLatentCacheFile);
//   at::Tensor rows = cache->draw(16, /*singleShapeOnly=*/false);   // from ATen's generator: seeded per step
// File: one safetensors with latents (N, C, h, w) fp16 (the VAE's means, unscaled), token_ids (N, L) int64 and
// shape_counts (N) uint8; metadata records the seed and the clip rows. Internal to inference/train.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <ATen/ATen.h>

#include "lanterna/result.h"
#include "toy_dataset.h"

namespace lanterna::inference {
class AutoencoderKL;
}

namespace lanterna::toy {

constexpr const char* kLatentCacheFile = "latent_cache.safetensors";
// What a cache's clip rows hold; caches from before it was recorded took a later frame and are rebuilt.
constexpr const char* kClipFramesFirst = "first";

struct LatentCacheOptions {
  std::uint64_t seed = 1;      // the toy world's seed; scenes 0..scenes-1 of its train split
  std::int64_t scenes = 4096;
  // Rows after the scenes: the first frame of each of clips 0..clips-1 with the clip's caption, so the image model
  // learns that a motion phrase does not move the shape out of the cell the caption names.
  std::int64_t clips = 0;
  int threads = 2;             // rendering threads (the VAE uses ATen's own)
};

struct LatentCache {
  at::Tensor latents;      // (N, C, h, w) float, already multiplied by the VAE's scaling factor
  at::Tensor tokenIds;     // (N, L) int64
  at::Tensor shapeCounts;  // (N) uint8
  at::Tensor singleShape;  // indices of the one-shape scenes (curriculum)
  std::uint64_t seed = 0;
  std::int64_t clips = 0;  // how many of the rows are clip frames
  std::string clipFrames;  // kClipFramesFirst, or empty for an older cache

  std::int64_t size() const { return latents.size(0); }
  // Indices of a random batch, drawn from ATen's global generator (the trainer seeds it per step).
  at::Tensor draw(std::int64_t batch, bool singleShapeOnly) const;
};

Status buildLatentCache(const inference::AutoencoderKL& vae, const Tokenize& tokenize,
                        const LatentCacheOptions& options, const std::filesystem::path& file,
                        const std::function<void(const std::string&)>& log = {});
// scaling: the VAE's scaling factor to apply.
Result<LatentCache> loadLatentCache(const std::filesystem::path& file, double scaling);

}  // namespace lanterna::toy
