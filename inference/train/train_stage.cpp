#include "train_stage.h"

namespace lanterna::toy {

const char* stageName(Stage stage) {
  switch (stage) {
    case Stage::Unset: return "unset";
    case Stage::Vae: return "vae";
    case Stage::Unet: return "unet";
    case Stage::Motion: return "motion";
  }
  return "unset";
}

Stage parseStage(const std::string& name) {
  for (Stage stage : {Stage::Vae, Stage::Unet, Stage::Motion})
    if (name == stageName(stage)) return stage;
  return Stage::Unset;
}

Result<std::unique_ptr<StageModel>> makeStageModel(Stage stage) {
  switch (stage) {
    case Stage::Vae: return makePlaceholderAutoencoder();  // TEMPORARY until the engine's AutoencoderKL lands
    case Stage::Unet:
    case Stage::Motion:
      return makeError(ErrorKind::FeatureUnsupported,
                       std::string("The ") + stageName(stage) +
                           " stage needs the engine's model classes, which are not merged yet; only \"vae\" runs.");
    case Stage::Unset: break;
  }
  return makeError(ErrorKind::InvalidArgument, "No training stage was given (use vae, unet or motion).");
}

}  // namespace lanterna::toy
