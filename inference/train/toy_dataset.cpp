#include "toy_dataset.h"

#include <stdexcept>

namespace lanterna::toy {

at::Tensor imageToTensor(const Image& image) {
  // from_blob borrows; the division makes the owned float copy.
  const at::Tensor bytes =
      at::from_blob(const_cast<std::uint8_t*>(image.rgb.data()), {image.height, image.width, 3}, at::kByte);
  return bytes.permute({2, 0, 1}).to(at::kFloat).div(127.5).sub(1.0).contiguous();
}

ToyDataset::ToyDataset(std::uint64_t seed, Split split, Tokenize tokenize)
    : world_(seed), split_(split), tokenize_(std::move(tokenize)) {}

ToyBatch ToyDataset::imageBatch(std::int64_t step, std::int64_t size) const {
  ToyBatch batch;
  std::vector<at::Tensor> images;
  for (std::int64_t i = 0; i < size; ++i) {
    ToyScene scene = world_.scene(static_cast<std::uint64_t>(step * size + i), split_);
    images.push_back(imageToTensor(scene.image));
    batch.captions.push_back(std::move(scene.caption));
  }
  batch.images = at::stack(images);
  batch.tokenIds = tokenize(batch.captions);
  return batch;
}

ToyBatch ToyDataset::clipBatch(std::int64_t step, std::int64_t size, std::int64_t frameCount, bool paired) const {
  if (frameCount < 2 || frameCount > 64) throw std::invalid_argument("clip batches take 2 to 64 frames");
  ToyBatch batch;
  std::vector<at::Tensor> clips;
  const int length = static_cast<int>(frameCount);
  for (std::int64_t i = 0; i < size; ++i) {
    const auto index = static_cast<std::uint64_t>(step * size + i);
    ToyClip clip = paired && i % 2 == 1 ? world_.counterpart(index - 1, split_, length)
                                        : world_.clip(index, split_, length);
    std::vector<at::Tensor> frames;
    for (const Image& frame : clip.frames) frames.push_back(imageToTensor(frame));
    clips.push_back(at::stack(frames));
    batch.captions.push_back(std::move(clip.caption));
  }
  batch.images = at::stack(clips);
  batch.tokenIds = tokenize(batch.captions);
  return batch;
}

at::Tensor ToyDataset::tokenize(const std::vector<std::string>& captions) const {
  if (!tokenize_) return {};
  std::vector<at::Tensor> rows;
  for (const std::string& caption : captions) {
    std::vector<std::int64_t> ids = tokenize_(caption);
    if (!rows.empty() && static_cast<std::int64_t>(ids.size()) != rows.front().size(0))
      throw std::invalid_argument("the tokenizer returned ids of different lengths; it must pad to a fixed length");
    rows.push_back(at::tensor(ids, at::kLong));
  }
  return at::stack(rows);
}

}  // namespace lanterna::toy
