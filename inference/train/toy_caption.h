// Caption templates of the toy world: several wordings and orders of the same ground truth.
// Internal to inference/train; pure functions.
#pragma once

#include <string>
#include <vector>

#include "toy_world.h"

namespace lanterna::toy {

// Template kHeldOutSceneTemplate / kHeldOutClipTemplate only ever appears in the held-out split.
std::string sceneCaption(const ToyScene& scene, int templateIndex);
std::string clipCaption(const ToyClip& clip, int templateIndex);
// The words templates add around the vocabulary ("a", "on", "background", ...).
std::vector<std::string> captionGlueWords();

}  // namespace lanterna::toy
