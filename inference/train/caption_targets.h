// What the text encoder should know at each token of a toy caption, for the "text" stage: it learns to say, at
// every token, the attributes of the shape being described so far (colour, shape, size, and at the last position
// word, its cell), the background once named, the motion once named, and at the end-of-text tokens which cells are
// occupied. Those are exactly the features the UNet's cross-attention has to look up (a cell asks "what stands
// here?"), so a UNet trained on this frozen encoder does not have to discover them through the diffusion loss.
// Causal attention means a token sees only what came before it: a target is set only once the caption has said it.
// Plain C++ (no torch); internal to inference/train.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "lanterna/result.h"
#include "toy_world.h"

namespace lanterna::toy {

constexpr int kNoTarget = -1;
constexpr int kMotionClasses = 7;  // Motion's values; Unset (0) means a still scene

struct TokenTargets {
  int colour = kNoTarget, shape = kNoTarget, size = kNoTarget, position = kNoTarget;
  int background = kNoTarget, motion = kNoTarget;
  bool endOfText = false;  // the end-of-text token and the padding after it: they see the whole caption
};

struct CaptionTargets {
  std::vector<TokenTargets> tokens;  // one per position of the encoder's input, BOS first
  std::array<int, kPositionCount> occupied{};  // 1 where a shape stands (a clip's: where it starts), else 0
};

// Token count of one word or punctuation mark under the tokenizer (without BOS/EOS).
using TokenCount = std::function<int(const std::string& piece)>;

Result<CaptionTargets> sceneCaptionTargets(const ToyScene& scene, const TokenCount& count, int length);
Result<CaptionTargets> clipCaptionTargets(const ToyClip& clip, const TokenCount& count, int length);

}  // namespace lanterna::toy
