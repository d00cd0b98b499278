// UNetMotionModel (diffusers v0.25, AnimateDiff): an SD1.x UNet2DCondition plus a MotionAdapter's temporal modules,
// one after every resnet(+attention) of each down/up level and one after the mid attention.
//   MotionAdapterConfig mc = MotionAdapterConfig::fromJson(json);        // or ::infer(weights) for bare files
//   UNetMotion unet = UNetMotion::load(std::move(sdUnet), mc, adapterWeights);
//   at::Tensor eps = unet.forward(latents, t, context);   // latents (B, C, F, H, W), context (B, 77, D)
// Internal to inference/. forward() is const and may run on several threads at once.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "motion_module.h"
#include "unet2d_condition.h"
#include "weights.h"

namespace lanterna::inference {

struct MotionAdapterConfig {
  std::vector<int64_t> blockOutChannels{320, 640, 1280, 1280};
  int64_t layersPerBlock = 2;         // down-level modules; up levels hold one more
  int64_t midLayers = 1;
  int64_t heads = 8;
  int64_t normGroups = 32;           // the adapter's own; inside UNetMotion the UNet's groups apply
  int64_t maxSequence = 32;
  bool midBlock = true;
  // Lanterna's own key, "lanterna_clean_first_frame" (diffusers ignores it): the adapter was trained to take an
  // image-to-video first frame clean at timestep 0, the other frames at the step's; without it the frame is pinned
  // at each step's noise level, which any AnimateDiff adapter accepts.
  bool cleanFirstFrame = false;
  // "lanterna_first_frame_attention": every frame's spatial self-attention also reads its clip's first frame
  // (FrameAnchor); an adapter trained that way is run that way. A context window after the first reads its own
  // first frame.
  bool firstFrameAttention = false;
  // "lanterna_motion_phrases": the words the adapter moves things by ("moving left", "growing"). Text-to-video from
  // a keyframe leaves them out of the keyframe's prompt: they say what happens after the first frame, and an image
  // model that never saw them reads them as placement ("left" as a position).
  std::vector<std::string> motionPhrases;
  // "lanterna_keyframe_words": what the first frame of a motion phrase shows ({"growing": "small"}), said in the
  // keyframe's prompt: a prompt that says only "growing" would leave the keyframe's size to chance, and the adapter
  // grows a shape from the size it was trained to grow from.
  std::map<std::string, std::string> keyframeWords;

  static MotionAdapterConfig fromJson(const nlohmann::json& json);
  // From tensor names and shapes alone (single .safetensors / .ckpt-converted files carry no config).
  static MotionAdapterConfig infer(const Weights& adapter);
};

class UNetMotion {
 public:
  static UNetMotion load(UNet2DCondition spatial, const MotionAdapterConfig& config, const Weights& adapter);
  // sample (B, C, F, H, W); timestep 0-d, (B), or (B, F) for frames at different noise levels (a clean first frame
  // that conditions the rest); context (B, T, D) shared by every frame of its batch item.
  at::Tensor forward(const at::Tensor& sample, const at::Tensor& timestep, const at::Tensor& context) const;
  const UNet2DCondition& spatial() const { return spatial_; }
  const MotionAdapterConfig& config() const { return config_; }
  int64_t maxFrames() const;

 private:
  UNet2DCondition spatial_;
  MotionAdapterConfig config_;
  std::vector<std::vector<MotionModule>> down_, up_;
  std::vector<MotionModule> mid_;
};

}  // namespace lanterna::inference
