#include "latent_cache.h"

#include <c10/core/GradMode.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "autoencoder_kl.h"
#include "lanterna/inference/safetensors.h"
#include "weights.h"

namespace lanterna::toy {
namespace {

constexpr std::int64_t kChunk = 128;  // scenes rendered, then encoded, at a time

// The first frame of train clip `index`, as a one-shape scene captioned with the clip's caption. Captions name the
// start cell and text-to-video draws the first frame from the caption, so the image model learns that motion words
// leave the picture as the cell says (a later frame would teach "moving left" as "somewhere left of the cell").
ToyScene clipFirstFrameScene(const ToyWorld& world, std::uint64_t index) {
  ToyClip clip = world.clip(index, Split::Train);
  ToyScene scene;
  scene.image = std::move(clip.frames.front());
  scene.background = clip.background;
  scene.shapes = {clip.track.front()};
  scene.caption = std::move(clip.caption);
  return scene;
}

}  // namespace

at::Tensor LatentCache::draw(std::int64_t batch, bool singleShapeOnly) const {
  if (singleShapeOnly && singleShape.numel() > 0)
    return singleShape.index_select(0, at::randint(0, singleShape.size(0), {batch}, at::kLong));
  return at::randint(0, size(), {batch}, at::kLong);
}

Status buildLatentCache(const inference::AutoencoderKL& vae, const Tokenize& tokenize,
                        const LatentCacheOptions& options, const std::filesystem::path& file,
                        const std::function<void(const std::string&)>& log) {
  c10::NoGradGuard noGrad;
  const ToyWorld world(options.seed);
  const std::int64_t n = options.scenes + options.clips;
  const int threads = std::max(1, options.threads);
  std::vector<at::Tensor> latents;
  std::vector<std::int64_t> ids;
  std::vector<std::uint8_t> counts(static_cast<std::size_t>(n));
  const auto started = std::chrono::steady_clock::now();
  for (std::int64_t begin = 0; begin < n; begin += kChunk) {
    const std::int64_t end = std::min(n, begin + kChunk);
    std::vector<ToyScene> scenes(static_cast<std::size_t>(end - begin));
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (std::int64_t i = begin + t; i < end; i += threads)
          scenes[static_cast<std::size_t>(i - begin)] =
              i < options.scenes ? world.scene(static_cast<std::uint64_t>(i), Split::Train)
                                 : clipFirstFrameScene(world, static_cast<std::uint64_t>(i - options.scenes));
      });
    for (auto& thread : pool) thread.join();
    std::vector<at::Tensor> images;
    for (std::size_t i = 0; i < scenes.size(); ++i) {
      images.push_back(imageToTensor(scenes[i].image));
      const std::vector<std::int64_t> row = tokenize ? tokenize(scenes[i].caption) : std::vector<std::int64_t>{};
      ids.insert(ids.end(), row.begin(), row.end());
      counts[static_cast<std::size_t>(begin) + i] = static_cast<std::uint8_t>(scenes[i].shapes.size());
    }
    latents.push_back(vae.encode(at::stack(images).to(vae.device())).mean.cpu().to(at::kHalf));
    if (log && (end == n || (end / kChunk) % 32 == 0)) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      log("latent cache " + std::to_string(end) + "/" + std::to_string(n) + " scenes, " +
          std::to_string(static_cast<int>(end / std::max(s, 1e-3))) + " scenes/s");
    }
  }
  const at::Tensor all = at::cat(latents).contiguous();
  const std::int64_t length = n > 0 ? static_cast<std::int64_t>(ids.size()) / n : 0;
  std::vector<inference::TensorToWrite> tensors{
      {"latents", inference::DType::F16, all.sizes().vec(), all.data_ptr()},
      {"shape_counts", inference::DType::U8, {n}, counts.data()}};
  if (length > 0) tensors.push_back({"token_ids", inference::DType::I64, {n, length}, ids.data()});
  std::filesystem::create_directories(file.parent_path());
  return inference::writeSafetensors(file, tensors,
                                     {{"seed", std::to_string(options.seed)},
                                      {"clips", std::to_string(options.clips)},
                                      {"clip_frames", kClipFramesFirst}});
}

Result<LatentCache> loadLatentCache(const std::filesystem::path& file, double scaling) {
  auto opened = inference::SafetensorsFile::open(file);
  if (!opened) return opened.error();
  auto tensor = [&](const char* name) -> at::Tensor {
    const inference::TensorInfo* info = opened->find(name);
    return info ? inference::borrowTensor(*opened, *info).clone() : at::Tensor();
  };
  LatentCache cache;
  const at::Tensor latents = tensor("latents");
  cache.tokenIds = tensor("token_ids");
  cache.shapeCounts = tensor("shape_counts");
  if (!latents.defined() || !cache.shapeCounts.defined() || latents.dim() != 4)
    return makeError(ErrorKind::FormatIncorrect,
                     "\"" + file.string() + "\" is not a latent cache (no latents/shape_counts); delete it to rebuild.",
                     file);
  cache.latents = latents.to(at::kFloat) * scaling;
  cache.singleShape = (cache.shapeCounts == 1).nonzero().reshape({-1});
  const auto& meta = opened->metadata();
  if (auto it = meta.find("seed"); it != meta.end()) cache.seed = std::stoull(it->second);
  if (auto it = meta.find("clips"); it != meta.end()) cache.clips = std::stoll(it->second);
  if (auto it = meta.find("clip_frames"); it != meta.end()) cache.clipFrames = it->second;
  return cache;
}

}  // namespace lanterna::toy
