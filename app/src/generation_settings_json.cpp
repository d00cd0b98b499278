#include "generation_settings_json.h"

namespace lanterna::app {

nlohmann::json toJson(const timeline::GenerationSettings& s) {
  return {{"prompt", s.prompt},           {"negative_prompt", s.negativePrompt},
          {"model", s.model},             {"sampler", s.sampler},
          {"steps", s.steps},             {"cfg", s.cfg},
          {"seed", s.seed},               {"seed_locked", s.seedLocked},
          {"width", s.width},             {"height", s.height},
          {"frames", s.frames},           {"fps", s.fps.toString()},
          {"strength", s.strength},       {"motion_amount", s.motionAmount},
          {"reference_images", s.referenceImages}};
}

timeline::GenerationSettings generationSettingsFromJson(const nlohmann::json& json) {
  timeline::GenerationSettings s;
  auto read = [&](const char* key, auto& field) {
    if (json.contains(key)) json.at(key).get_to(field);
  };
  read("prompt", s.prompt);
  read("negative_prompt", s.negativePrompt);
  read("model", s.model);
  read("sampler", s.sampler);
  read("steps", s.steps);
  read("cfg", s.cfg);
  read("seed", s.seed);
  read("seed_locked", s.seedLocked);
  read("width", s.width);
  read("height", s.height);
  read("frames", s.frames);
  if (json.contains("fps")) {
    auto fps = timeline::FrameRate::parse(json.at("fps").get<std::string>());
    if (!fps) throw nlohmann::json::other_error::create(501, "bad fps " + json.at("fps").dump(), &json);
    s.fps = *fps;
  }
  read("strength", s.strength);
  read("motion_amount", s.motionAmount);
  read("reference_images", s.referenceImages);
  return s;
}

}  // namespace lanterna::app
