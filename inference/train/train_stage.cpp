#include "train_stage.h"

namespace lanterna::toy {

const char* stageName(Stage stage) {
  switch (stage) {
    case Stage::Unset: return "unset";
    case Stage::Vae: return "vae";
    case Stage::Text: return "text";
    case Stage::Unet: return "unet";
    case Stage::Motion: return "motion";
  }
  return "unset";
}

Stage parseStage(const std::string& name) {
  for (Stage stage : {Stage::Vae, Stage::Text, Stage::Unet, Stage::Motion})
    if (name == stageName(stage)) return stage;
  return Stage::Unset;
}

Result<std::unique_ptr<StageModel>> makeStageModel(Stage stage, const StageInputs& inputs) {
  switch (stage) {
    case Stage::Vae: return makeVaeStage(inputs);
    case Stage::Text: return makeTextStage(inputs);
    case Stage::Unet: return makeUNetStage(inputs);
    case Stage::Motion: return makeMotionStage(inputs);
    case Stage::Unset: break;
  }
  return makeError(ErrorKind::InvalidArgument, "No training stage was given (use vae, text, unet or motion).");
}

}  // namespace lanterna::toy
