// The trainable tensors of the engine's networks, named and shaped exactly as their loaders read them, so a model
// trained here loads through the same code as a downloaded one. Usage:
//   NamedTensors unet = initParameters(unetLayout(config), "unet.", device);   // fresh, requires_grad
//   UNet2DCondition net = UNet2DCondition::load(config, weightsFrom(unet, "unet."));
// Layouts mirror the load() functions of autoencoder_kl.cpp, unet2d_condition.cpp and clip_text_encoder.cpp; a
// mismatch shows up at once as a WeightsError from load(). Internal to inference/train; pure functions apart from
// initParameters, which draws from ATen's global generator.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "autoencoder_kl.h"
#include "checkpoint.h"
#include "clip_text_encoder.h"
#include "unet2d_condition.h"
#include "unet_motion.h"
#include "weights.h"

namespace lanterna::toy {

struct ParameterSpec {
  std::string name;
  std::vector<std::int64_t> shape;
};

std::vector<ParameterSpec> vaeLayout(const inference::VaeConfig& config);
std::vector<ParameterSpec> unetLayout(const inference::UNetConfig& config);
std::vector<ParameterSpec> clipTextLayout(const inference::ClipTextConfig& config);
// The trainable tensors of a MotionAdapter (positional tables excluded: they are fixed, see motionPositionTables).
std::vector<ParameterSpec> motionAdapterLayout(const inference::MotionAdapterConfig& config);
// The sinusoidal "pos_embed.pe" buffers diffusers saves with an adapter, named as in its state dict.
NamedTensors motionPositionTables(const inference::MotionAdapterConfig& config);
// AnimateDiff's init: every module's proj_out weight and bias set to zero, so a fresh adapter leaves the image
// UNet's output unchanged.
void zeroMotionProjOut(const NamedTensors& adapter);

// PyTorch's default init (uniform +-1/sqrt(fan_in)) for convolutions and linears, ones/zeros for norms and biases,
// N(0, 0.02) for embeddings. Drawn on the CPU and then moved, so CPU and CUDA runs start from the same weights.
NamedTensors initParameters(const std::vector<ParameterSpec>& layout, const std::string& prefix, at::Device device);

// The tensors under prefix, prefix stripped, shared (not copied): gradients flow back into the originals.
inference::Weights weightsFrom(const NamedTensors& tensors, const std::string& prefix);

}  // namespace lanterna::toy
