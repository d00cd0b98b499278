#include "toy_model_configs.h"

#include "toy_vocab.h"
#include "toy_world.h"

namespace lanterna::toy {
namespace {

constexpr const char* kDiffusersVersion = "0.25.0";
constexpr int kLatentFactor = 8;  // as in SD: 128x128 scenes become 16x16 latents
// Held-out score with euler 20 (docs/models/toyworld.md): guidance above ~3 over-sharpens the few shapes the model
// is unsure of into circles (50 prompts: 72% at 2, 68% at 3, 60% at 5, 54% at 12).
constexpr double kToyGuidanceScale = 2.0;

}  // namespace

nlohmann::json toyVaeConfig(double scalingFactor) {
  // Flat-coloured shapes need little capacity; full-resolution channels dominate the cost, so they stay at 16.
  // Four levels (factor 8, as SD's VAE): the UNet then works on 16x16 latents, a quarter of the cost of 32x32, which
  // is what lets a prompt-following model train in about an hour on two CPU cores.
  return {{"_class_name", "AutoencoderKL"},
          {"_diffusers_version", kDiffusersVersion},
          {"act_fn", "silu"},
          {"block_out_channels", {16, 32, 64, 64}},
          {"down_block_types",
           {"DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"}},
          {"up_block_types", {"UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"}},
          {"in_channels", 3},
          {"out_channels", 3},
          {"latent_channels", 4},
          {"layers_per_block", 1},
          {"norm_num_groups", 8},
          {"sample_size", kImageSize},
          {"scaling_factor", scalingFactor},
          {"force_upcast", false}};
}

nlohmann::json toyUNetConfig() {
  // Cross-attention at every level (16x16, 8x8, 4x4 and the middle): where a word lands in the picture is decided
  // there, and at these sizes attention is cheap next to the convolutions.
  return {{"_class_name", "UNet2DConditionModel"},
          {"_diffusers_version", kDiffusersVersion},
          {"act_fn", "silu"},
          {"attention_head_dim", 4},
          {"block_out_channels", {32, 64, 128}},
          {"center_input_sample", false},
          {"cross_attention_dim", 64},
          {"down_block_types", {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"}},
          {"up_block_types", {"CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"}},
          {"mid_block_type", "UNetMidBlock2DCrossAttn"},
          {"downsample_padding", 1},
          {"flip_sin_to_cos", true},
          {"freq_shift", 0},
          {"in_channels", 4},
          {"out_channels", 4},
          {"layers_per_block", 1},
          {"norm_eps", 1e-5},
          {"norm_num_groups", 8},
          {"sample_size", kImageSize / kLatentFactor},
          {"use_linear_projection", false}};
}

nlohmann::json toyTextEncoderConfig(std::int64_t vocabSize) {
  return {{"architectures", nlohmann::json::array({"CLIPTextModel"})},
          {"model_type", "clip_text_model"},
          {"attention_dropout", 0.0},
          {"bos_token_id", vocabSize - 2},
          {"eos_token_id", vocabSize - 1},
          {"pad_token_id", vocabSize - 1},
          {"hidden_act", "quick_gelu"},
          {"hidden_size", 64},
          {"initializer_range", 0.02},
          {"intermediate_size", 256},
          {"layer_norm_eps", 1e-5},
          {"max_position_embeddings", kToyMaxPositions},
          {"num_attention_heads", 4},
          {"num_hidden_layers", 2},
          {"projection_dim", 64},
          {"torch_dtype", "float16"},
          {"vocab_size", vocabSize}};
}

nlohmann::json toySchedulerConfig() {
  return {{"_class_name", "PNDMScheduler"},
          {"_diffusers_version", kDiffusersVersion},
          {"beta_start", 0.00085},
          {"beta_end", 0.012},
          {"beta_schedule", "scaled_linear"},
          {"num_train_timesteps", 1000},
          {"clip_sample", false},
          {"set_alpha_to_one", false},
          {"skip_prk_steps", true},
          {"steps_offset", 1},
          {"prediction_type", "epsilon"},
          {"timestep_spacing", "leading"}};
}

nlohmann::json toyModelIndex(bool withMotionAdapter) {
  nlohmann::json index = {{"_class_name", "StableDiffusionPipeline"},
                          {"_diffusers_version", kDiffusersVersion},
                          {"feature_extractor", nlohmann::json::array({nullptr, nullptr})},
                          {"safety_checker", nlohmann::json::array({nullptr, nullptr})},
                          {"requires_safety_checker", false},
                          {"scheduler", nlohmann::json::array({"diffusers", "PNDMScheduler"})},
                          {"text_encoder", nlohmann::json::array({"transformers", "CLIPTextModel"})},
                          {"tokenizer", nlohmann::json::array({"transformers", "CLIPTokenizer"})},
                          {"unet", nlohmann::json::array({"diffusers", "UNet2DConditionModel"})},
                          {"vae", nlohmann::json::array({"diffusers", "AutoencoderKL"})},
                          // Lanterna's own key (diffusers skips "_" keys): the settings the scores were best at.
                          {"_lanterna_defaults", {{"guidance_scale", kToyGuidanceScale}, {"num_inference_steps", 20}}}};
  if (withMotionAdapter) {  // diffusers' AnimateDiffPipeline has no safety checker
    index["_class_name"] = "AnimateDiffPipeline";
    index.erase("safety_checker");
    index.erase("requires_safety_checker");
    index["motion_adapter"] = nlohmann::json::array({"diffusers", "MotionAdapter"});
  }
  return index;
}

nlohmann::json toyMotionAdapterConfig() {
  const nlohmann::json unet = toyUNetConfig();
  // 4 heads split every level (32/64/128 channels); 32 positions cover the 8-16 frames of toy clips.
  return {{"_class_name", "MotionAdapter"},
          {"_diffusers_version", kDiffusersVersion},
          {"block_out_channels", unet["block_out_channels"]},
          {"motion_layers_per_block", unet["layers_per_block"]},
          {"motion_mid_block_layers_per_block", 1},
          {"motion_num_attention_heads", 4},
          {"motion_norm_num_groups", unet["norm_num_groups"]},
          {"motion_max_seq_length", 32},
          {"use_motion_mid_block", true}};
}

}  // namespace lanterna::toy
