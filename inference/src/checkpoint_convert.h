// Renames original LDM / A1111 single-file checkpoint keys to the diffusers / Hugging Face names our networks load,
// and infers component configs from tensor shapes. Renaming shares tensors (no copies); VAE attention 1x1 conv
// kernels become Linear views.
//   Weights unet = convertLdmUNet(all.sub("model.diffusion_model."));
//   nlohmann::json config = inferUNetConfig(unet);      // heads/groups cannot be seen in shapes: SD defaults
// Internal to inference/. Pure functions; thread-safe.
#pragma once

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "weights.h"

namespace lanterna::inference {

// UNet keys without the "model.diffusion_model." prefix -> diffusers UNet2DConditionModel names.
Weights convertLdmUNet(const Weights& ldm);
// VAE keys without "first_stage_model." (or a standalone LDM VAE file) -> diffusers AutoencoderKL names. Also
// accepts older diffusers names (query/key/value/proj_attn). Keys already in diffusers form pass through.
Weights convertLdmVae(const Weights& ldm);
// SD1.x "cond_stage_model.transformer." keys (HF CLIP under a prefix) -> "text_model.*" / "text_projection.weight".
Weights convertLdmClip(const Weights& ldm);
// SD2.x OpenCLIP "cond_stage_model.model." keys -> HF CLIP names (fused in_proj split into q/k/v). The last
// resblock is dropped, as diffusers does: SD2 uses the penultimate layer.
Weights convertOpenClip(const Weights& openClip);

// Configs in diffusers / HF terms, from converted (diffusers-named) weights.
nlohmann::json inferUNetConfig(const Weights& unet);
nlohmann::json inferVaeConfig(const Weights& vae);
nlohmann::json inferClipConfig(const Weights& clip, const std::string& hiddenAct = "quick_gelu");

// Top-level values of `overrides` replace those of `config` (an override config object from the caller).
nlohmann::json mergeConfig(nlohmann::json config, const nlohmann::json& overrides);

}  // namespace lanterna::inference
