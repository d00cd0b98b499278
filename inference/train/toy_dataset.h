// Batches of toy-world samples as tensors, for training: images as float NCHW in [-1, 1] and caption token ids
// through a tokenizer callback (the engine's CLIP tokenizer, once it exists). Usage:
//   ToyDataset data(seed, Split::Train, tokenize);     // tokenize may be empty: no ids
//   ToyBatch batch = data.imageBatch(step, 8);         // the same (seed, step, size) -> the same batch, always
// Internal to inference/train. A ToyDataset is immutable; batches may be made from several threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "toy_world.h"

namespace lanterna::toy {

// Token ids of one caption, already padded or truncated to the text encoder's length (77 for CLIP).
using Tokenize = std::function<std::vector<std::int64_t>(const std::string& caption)>;

struct ToyBatch {
  at::Tensor images;    // [B, 3, H, W] float, or [B, F, 3, H, W] for clips
  at::Tensor tokenIds;  // [B, L] int64; undefined without a tokenizer
  std::vector<std::string> captions;
  at::Tensor tokenLabels;  // text stage: [B, L, 7] int64 per-token classes (caption_targets.h), -1 for none
  at::Tensor cellLabels;   // text stage: [B, 9] int64 occupied cells, -1 where the caption does not say
  // motion stage with a training UNet: still scenes [S, 3, H, W] and their captions, learnt beside the clips
  at::Tensor stillImages, stillTokenIds;
};

// 8-bit interleaved RGB -> [3, H, W] float in [-1, 1].
at::Tensor imageToTensor(const Image& image);

class ToyDataset {
 public:
  ToyDataset(std::uint64_t seed, Split split, Tokenize tokenize = {});

  // Sample indices step*size .. step*size+size-1: resuming at a step sees exactly the data it would have seen.
  ToyBatch imageBatch(std::int64_t step, std::int64_t size) const;
  // Clips rendered over exactly frameCount frames (2 or more): the whole motion, whatever the length.
  // Paired: every second clip is the counterpart of the one before it (same first frame, another motion).
  ToyBatch clipBatch(std::int64_t step, std::int64_t size, std::int64_t frameCount, bool paired = false) const;

 private:
  at::Tensor tokenize(const std::vector<std::string>& captions) const;

  ToyWorld world_;
  Split split_;
  Tokenize tokenize_;
};

}  // namespace lanterna::toy
