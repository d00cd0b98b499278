#include "checkpoint.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string_view>

#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include "lanterna/inference/safetensors.h"
#include "weights.h"

namespace lanterna::toy {
namespace {

constexpr const char* kStateFile = "state.json";
constexpr const char* kLatestFile = "latest.json";
// checkpointDir() names each save this, then its step; recentCheckpoints() reads the step back.
constexpr std::string_view kCheckpointPrefix = "checkpoint-";

// Temp file and rename: a cut-off run never leaves a half-written JSON behind.
Status writeJson(const std::filesystem::path& path, const nlohmann::json& json) {
  const auto temp = std::filesystem::path(path).concat(".tmp");
  {
    std::ofstream out(temp, std::ios::trunc);
    out << json.dump(2) << "\n";
    if (!out) return makeError(ErrorKind::NoWriteAccess, "Cannot write \"" + temp.string() + "\".", temp);
  }
  std::error_code error;
  std::filesystem::rename(temp, path, error);
  if (error) return makeError(ErrorKind::NoWriteAccess, "Cannot write \"" + path.string() + "\": " + error.message(), path);
  return Ok{};
}

Result<nlohmann::json> readJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return makeError(ErrorKind::FileNotFound, "Cannot read \"" + path.string() + "\".", path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    return makeError(ErrorKind::FormatIncorrect, "\"" + path.string() + "\" is not valid JSON: " + e.what(), path);
  }
}

}  // namespace

std::filesystem::path checkpointDir(const std::filesystem::path& outDir, std::int64_t step) {
  std::ostringstream name;
  name << kCheckpointPrefix << std::setw(6) << std::setfill('0') << step;
  return outDir / name.str();
}

Status saveCheckpoint(const std::filesystem::path& dir, const NamedTensors& parameters, const CheckpointState& state) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return makeError(ErrorKind::NoWriteAccess, "Cannot create \"" + dir.string() + "\": " + error.message(), dir);
  std::vector<at::Tensor> keep;  // contiguous copies must outlive the write
  std::vector<inference::TensorToWrite> tensors;
  for (const auto& [name, tensor] : parameters) {
    keep.push_back(tensor.detach().to(at::kCPU, at::kFloat).contiguous());
    tensors.push_back({name, inference::DType::F32, keep.back().sizes().vec(), keep.back().data_ptr()});
  }
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"lanterna_stage", state.stage}};
  if (Status written = inference::writeSafetensors(dir / kModelFile, tensors, metadata); !written) return written;
  nlohmann::json json = {{"format", "lanterna-train/1"},
                         {"stage", state.stage},
                         {"step", state.step},
                         {"seed", state.seed},
                         {"batch", state.batch},
                         {"learning_rate", state.learningRate},
                         {"unet_learning_rate_scale", state.unetLearningRateScale},
                         {"given_first_frame_share", state.givenFirstFrameShare},
                         {"unet_cross_attention_only", state.unetCrossAttentionOnly},
                         {"first_frame_attention", state.firstFrameAttention},
                         {"loss", state.loss},
                         {"optimizer", "adam"},
                         {"optimizer_state", kOptimizerFile}};
  if (const auto& c = state.lossChoices)
    json["loss_choices"] = {{"min_snr_gamma", c->minSnrGamma},
                            {"motion_weight", c->motionWeight},
                            {"high_noise_weight", c->highNoiseWeight},
                            {"paired_motions", c->pairedMotions},
                            {"clip_pool", c->clipPool},
                            {"first_frame_stills", c->firstFrameStills},
                            {"first_frame_noise", c->firstFrameNoise}};
  return writeJson(dir / kStateFile, json);
}

Status markLatest(const std::filesystem::path& outDir, const std::filesystem::path& dir, std::int64_t step) {
  return writeJson(outDir / kLatestFile, {{"checkpoint", dir.filename().string()}, {"step", step}});
}

Result<std::filesystem::path> latestCheckpoint(const std::filesystem::path& outDir) {
  auto latest = readJson(outDir / kLatestFile);
  if (!latest) {
    if (latest.error().kind == ErrorKind::FileNotFound)
      return makeError(ErrorKind::FileNotFound,
                       "Nothing to resume in \"" + outDir.string() + "\": it has no latest.json.", outDir);
    return latest.error();
  }
  if (!latest->contains("checkpoint") || !(*latest)["checkpoint"].is_string())
    return makeError(ErrorKind::FormatIncorrect, "\"" + (outDir / kLatestFile).string() + "\" names no checkpoint.",
                     outDir / kLatestFile);
  return outDir / (*latest)["checkpoint"].get<std::string>();
}

Result<std::vector<std::filesystem::path>> recentCheckpoints(const std::filesystem::path& outDir, int count) {
  auto latest = latestCheckpoint(outDir);
  if (!latest) return latest.error();
  // Folders named as checkpointDir() names them, by step, up to the latest (a run resumed from an earlier step may
  // have left later ones behind that are not part of it).
  const auto stepOf = [](const std::string& name) -> std::int64_t {
    const std::string_view prefix = kCheckpointPrefix;
    const bool numbered = name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
                          name.find_first_not_of("0123456789", prefix.size()) == std::string::npos;
    return numbered && name.size() - prefix.size() <= 18 ? std::stoll(name.substr(prefix.size())) : -1;
  };
  const std::int64_t latestStep = stepOf(latest->filename().string());
  std::vector<std::pair<std::int64_t, std::filesystem::path>> saved;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(outDir, error)) {
    const std::int64_t step = stepOf(entry.path().filename().string());
    if (step >= 0 && step <= latestStep && entry.is_directory()) saved.emplace_back(step, entry.path());
  }
  if (error) return makeError(ErrorKind::FileNotFound, "Cannot list \"" + outDir.string() + "\".", outDir);
  std::sort(saved.begin(), saved.end());
  if (count < 1 || static_cast<std::size_t>(count) > saved.size())
    return makeError(ErrorKind::InvalidArgument,
                     "\"" + outDir.string() + "\" has " + std::to_string(saved.size()) + " checkpoints up to " +
                         latest->filename().string() + ", so it cannot average the last " + std::to_string(count) +
                         ".",
                     outDir);
  std::vector<std::filesystem::path> dirs;
  for (auto it = saved.end() - count; it != saved.end(); ++it) dirs.push_back(it->second);
  return dirs;
}

Result<NamedTensors> averageCheckpointWeights(const std::vector<std::filesystem::path>& dirs) {
  NamedTensors sum;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    auto file = inference::SafetensorsFile::open(dirs[i] / kModelFile);
    if (!file) return file.error();
    if (i == 0) {
      for (const auto& info : file->tensors())
        sum.emplace_back(info.name, inference::borrowTensor(*file, info).to(at::kFloat).clone());
      continue;
    }
    const std::string first = (dirs.front() / kModelFile).string();
    if (file->tensors().size() != sum.size())
      return makeError(ErrorKind::FormatIncorrect,
                       "\"" + file->path().string() + "\" holds other tensors than \"" + first +
                           "\": they are not checkpoints of one run.",
                       file->path());
    for (auto& [name, total] : sum) {
      const inference::TensorInfo* info = file->find(name);
      if (!info || info->shape != total.sizes().vec())
        return makeError(ErrorKind::FormatIncorrect,
                         "\"" + file->path().string() + "\" has no tensor \"" + name + "\" of the shape in \"" +
                             first + "\".",
                         file->path());
      total.add_(inference::borrowTensor(*file, *info).to(at::kFloat));
    }
  }
  for (auto& [name, tensor] : sum) tensor.div_(static_cast<double>(dirs.size()));
  return sum;
}

Result<CheckpointState> readCheckpointState(const std::filesystem::path& dir) {
  auto json = readJson(dir / kStateFile);
  if (!json) return json.error();
  try {
    CheckpointState state;
    state.stage = json->at("stage").get<std::string>();
    state.step = json->at("step").get<std::int64_t>();
    state.seed = json->at("seed").get<std::uint64_t>();
    state.batch = json->at("batch").get<std::int64_t>();
    state.learningRate = json->at("learning_rate").get<double>();
    state.unetLearningRateScale = json->value("unet_learning_rate_scale", 0.0);  // absent before session 7: frozen
    state.givenFirstFrameShare = json->value("given_first_frame_share", 0.0);  // absent before session 8: none
    state.unetCrossAttentionOnly = json->value("unet_cross_attention_only", false);  // absent before session 10
    state.firstFrameAttention = json->value("first_frame_attention", false);  // absent before session 16
    if (json->contains("loss_choices")) {
      const nlohmann::json& c = json->at("loss_choices");
      state.lossChoices = LossChoices{.minSnrGamma = c.at("min_snr_gamma").get<double>(),
                                      .motionWeight = c.at("motion_weight").get<double>(),
                                      .highNoiseWeight = c.at("high_noise_weight").get<double>(),
                                      .pairedMotions = c.at("paired_motions").get<bool>(),
                                      .clipPool = c.at("clip_pool").get<std::int64_t>(),
                                      // absent before session 13: none
                                      .firstFrameStills = c.value("first_frame_stills", false),
                                      // absent before session 18: none
                                      .firstFrameNoise = c.value("first_frame_noise", std::int64_t{0})};
    }
    state.loss = json->at("loss").get<double>();
    return state;
  } catch (const nlohmann::json::exception& e) {
    return makeError(ErrorKind::FormatIncorrect, "\"" + (dir / kStateFile).string() + "\" is incomplete: " + e.what(),
                     dir / kStateFile);
  }
}

Status loadCheckpointWeights(const std::filesystem::path& dir, const NamedTensors& parameters) {
  auto file = inference::SafetensorsFile::open(dir / kModelFile);
  if (!file) return file.error();
  c10::NoGradGuard noGrad;  // c10:: spelling exists in LibTorch 1.13 and 2.x
  for (const auto& [name, parameter] : parameters) {
    const inference::TensorInfo* info = file->find(name);
    if (!info || info->shape != parameter.sizes().vec() || info->dtype != inference::DType::F32)
      return makeError(ErrorKind::FormatIncorrect,
                       "\"" + file->path().string() + "\" has no F32 tensor \"" + name + "\" of the model's shape.",
                       file->path());
    parameter.copy_(inference::borrowTensor(*file, *info));
  }
  return Ok{};
}

Status copyWeights(const std::filesystem::path& file, const std::string& prefix, const NamedTensors& parameters,
                   StoredNames stored) {
  auto opened = inference::SafetensorsFile::open(file);
  if (!opened) return opened.error();
  c10::NoGradGuard noGrad;
  for (const auto& [name, tensor] : parameters) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string storedName = stored == StoredNames::WithPrefix ? name : name.substr(prefix.size());
    const inference::TensorInfo* info = opened->find(storedName);
    if (!info || info->shape != tensor.sizes().vec())
      return makeError(ErrorKind::FormatIncorrect,
                       "\"" + file.string() + "\" has no tensor \"" + storedName +
                           "\" of the toy model's shape: it is not a toyworld model of this configuration.", file);
    tensor.copy_(inference::borrowTensor(*opened, *info).to(at::kFloat));
  }
  return Ok{};
}

}  // namespace lanterna::toy
