#include "toy_export.h"

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "checkpoint.h"
#include "clip_tokenizer.h"
#include "lanterna/inference/safetensors.h"
#include "toy_model_configs.h"
#include "toy_vocab.h"
#include "toy_world.h"
#include "train_stage.h"
#include "parameter_layout.h"
#include "weights.h"

namespace lanterna::toy {
namespace {

Status writeJson(const std::filesystem::path& path, const nlohmann::json& json) {
  std::ofstream out(path, std::ios::trunc);
  out << json.dump(2) << "\n";
  if (!out) return makeError(ErrorKind::NoWriteAccess, "Cannot write \"" + path.string() + "\".", path);
  return Ok{};
}

Result<inference::SafetensorsFile> openLatest(const std::filesystem::path& run) {
  auto dir = latestCheckpoint(run);
  if (!dir) return dir.error();
  return inference::SafetensorsFile::open(*dir / kModelFile);
}

// Named tensors as fp16 safetensors; `source` names where they came from when one does not fit in fp16.
Status writeHalf(const NamedTensors& named, const std::filesystem::path& to, const std::filesystem::path& source) {
  std::vector<at::Tensor> keep;
  std::vector<inference::TensorToWrite> tensors;
  for (const auto& [name, tensor] : named) {
    keep.push_back(tensor.detach().cpu().to(at::kHalf).contiguous());
    if (!keep.back().isfinite().all().item<bool>())
      return makeError(ErrorKind::FormatIncorrect,
                       "\"" + source.string() + "\": tensor \"" + name + "\" does not fit in fp16.", source);
    tensors.push_back({name, inference::DType::F16, keep.back().sizes().vec(), keep.back().data_ptr()});
  }
  return inference::writeSafetensors(to, tensors, {{"format", "pt"}});
}

// The tensors under prefix (stripped), in fp16: half the size, and what diffusers' fp16 variants hold.
Status writeComponent(const inference::SafetensorsFile& from, const std::string& prefix,
                      const std::filesystem::path& to) {
  NamedTensors named;
  for (const auto& info : from.tensors())
    if (info.name.compare(0, prefix.size(), prefix) == 0)
      named.emplace_back(info.name.substr(prefix.size()), inference::borrowTensor(from, info));
  if (named.empty())
    return makeError(ErrorKind::FormatIncorrect,
                     "\"" + from.path().string() + "\" has no tensors under \"" + prefix + "\".", from.path());
  return writeHalf(named, to, from.path());
}

}  // namespace

Result<Tokenize> makeToyTokenize(const std::filesystem::path& dir) {
  if (Status written = writeToyTokenizer(dir, buildToyVocabulary(ToyWorld::captionWords())); !written)
    return written.error();
  auto tokenizer = inference::ClipTokenizer::load(dir);
  if (!tokenizer) return tokenizer.error();
  auto shared = std::make_shared<const inference::ClipTokenizer>(std::move(*tokenizer));
  return Tokenize([shared](const std::string& caption) { return shared->tokenize(caption); });
}

Status exportToyModel(const std::filesystem::path& vaeRun, const std::filesystem::path& unetRun,
                      const std::filesystem::path& outDir) {
  auto vaeFiles = findTrainedVae(vaeRun);
  if (!vaeFiles) return vaeFiles.error();
  auto vae = inference::SafetensorsFile::open(vaeFiles->weights);
  if (!vae) return vae.error();
  auto unet = openLatest(unetRun);
  if (!unet) return unet.error();
  const auto vaeConfigPath = vaeFiles->config;
  std::ifstream in(vaeConfigPath);
  if (!in)
    return makeError(ErrorKind::FileNotFound, "Cannot read \"" + vaeConfigPath.string() + "\": finish the vae stage.",
                     vaeConfigPath);
  const nlohmann::json vaeConfig = nlohmann::json::parse(in, nullptr, false);
  if (vaeConfig.is_discarded())
    return makeError(ErrorKind::FormatIncorrect, "\"" + vaeConfigPath.string() + "\" is not valid JSON.", vaeConfigPath);

  std::error_code error;
  for (const char* sub : {"unet", "vae", "text_encoder", "tokenizer", "scheduler"}) {
    std::filesystem::create_directories(outDir / sub, error);
    if (error)
      return makeError(ErrorKind::NoWriteAccess, "Cannot create \"" + (outDir / sub).string() + "\".", outDir / sub);
  }
  const ToyVocabulary vocabulary = buildToyVocabulary(ToyWorld::captionWords());
  const auto vocabSize = static_cast<std::int64_t>(vocabulary.tokens.size());
  for (Status s : {writeComponent(*vae, "", outDir / "vae" / kDiffusersWeights),
                   writeComponent(*unet, "unet.", outDir / "unet" / kDiffusersWeights),
                   writeComponent(*unet, "text_encoder.", outDir / "text_encoder" / "model.safetensors"),
                   writeJson(outDir / "vae" / "config.json", vaeConfig),
                   writeJson(outDir / "unet" / "config.json", toyUNetConfig()),
                   writeJson(outDir / "text_encoder" / "config.json", toyTextEncoderConfig(vocabSize)),
                   writeJson(outDir / "scheduler" / "scheduler_config.json", toySchedulerConfig()),
                   writeToyTokenizer(outDir / "tokenizer", vocabulary),
                   writeJson(outDir / "model_index.json", toyModelIndex())})
    if (!s) return s;
  return Ok{};
}


Status exportToyMotionAdapter(const std::filesystem::path& motionRun, const std::filesystem::path& modelDir,
                              std::uint64_t seed, int averageCheckpoints) {
  nlohmann::json config = toyMotionAdapterConfig();
  const auto adapterConfig = inference::MotionAdapterConfig::fromJson(config);
  NamedTensors tensors, trainedUnet;  // trainedUnet: the run trained the image UNet with the adapter (--unet-lr-scale)
  if (motionRun.empty()) {
    at::manual_seed(seed);
    tensors = initParameters(motionAdapterLayout(adapterConfig), "", at::kCPU);
    zeroMotionProjOut(tensors);
  } else {
    auto checkpoints = recentCheckpoints(motionRun, averageCheckpoints);
    if (!checkpoints) return checkpoints.error();
    auto trained = averageCheckpointWeights(*checkpoints);
    if (!trained) return trained.error();
    // The settings the latest checkpoint records decide what the adapter declares.
    auto state = readCheckpointState(checkpoints->back());
    if (!state) return state.error();
    if (state->givenFirstFrameShare > 0) {
      config["lanterna_clean_first_frame"] = true;
      // Text-to-video then draws a keyframe with the image model, which learnt still captions only.
      std::vector<std::string> phrases;
      for (Motion m : {Motion::MovingLeft, Motion::MovingRight, Motion::MovingUp, Motion::MovingDown, Motion::Growing,
                       Motion::Shrinking})
        phrases.push_back(motionName(m));
      config["lanterna_motion_phrases"] = phrases;
      // A resize caption names no size; its keyframe says the size the world's resize starts at.
      nlohmann::json keyframeWords = nlohmann::json::object();
      for (Motion m : {Motion::Growing, Motion::Shrinking}) keyframeWords[motionName(m)] = sizeName(resizeStartSize(m));
      config["lanterna_keyframe_words"] = keyframeWords;
    }
    if (state->firstFrameAttention) config["lanterna_first_frame_attention"] = true;
    const std::string unetPrefix = kMotionRunUnetPrefix;
    for (auto& [name, tensor] : *trained) {
      if (name.rfind(unetPrefix, 0) == 0) trainedUnet.emplace_back(name.substr(unetPrefix.size()), std::move(tensor));
      else tensors.emplace_back(name, std::move(tensor));
    }
  }
  for (auto& table : motionPositionTables(adapterConfig)) tensors.push_back(std::move(table));
  const auto dir = modelDir / "motion_adapter";
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return makeError(ErrorKind::NoWriteAccess, "Cannot create \"" + dir.string() + "\".", dir);
  for (Status s : {writeHalf(tensors, dir / kDiffusersWeights, motionRun), writeJson(dir / "config.json", config),
                   writeJson(modelDir / "model_index.json", toyModelIndex(true))})
    if (!s) return s;
  // The adapter only moves things with the UNet it was trained with.
  if (!trainedUnet.empty()) return writeHalf(trainedUnet, modelDir / "unet" / kDiffusersWeights, motionRun);
  return Ok{};
}

}  // namespace lanterna::toy
