// One generation in a project's history: the full request, what became of it, and what it made.
// Plain value types; copy them across threads freely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lanterna/timeline/document_snapshot.h"

namespace lanterna::app {

using timeline::AssetId;
using timeline::GenerationId;

// `Interrupted`: it was queued or running when the studio last stopped without finishing it.
enum class GenerationStatus { Queued, Running, Done, Failed, Cancelled, Interrupted };
const char* generationStatusName(GenerationStatus status);  // "queued", "running", …
std::optional<GenerationStatus> parseGenerationStatus(const std::string& name);

struct GenerationRecord {
  GenerationId id = 0;      // assigned by ProjectStore::addGeneration
  GenerationId parent = 0;  // the generation this one varies; 0 = none
  timeline::GenerationSettings request;
  std::string modelSha256;
  GenerationStatus status = GenerationStatus::Queued;
  std::string errorMessage;
  std::int64_t createdMs = 0;  // milliseconds since the Unix epoch; 0 = unset
  std::int64_t startedMs = 0;
  std::int64_t finishedMs = 0;
  std::int64_t durationMs = 0;
  std::vector<AssetId> outputs;
  bool operator==(const GenerationRecord&) const = default;
};

struct HistoryFilter {
  std::optional<GenerationStatus> status;
  std::string text;  // matched case-insensitively against prompt, negative prompt and model
  int limit = 0;     // 0 = all
};

enum class AssetKind { Unset, Image, Video, Audio };
const char* assetKindName(AssetKind kind);
std::optional<AssetKind> parseAssetKind(const std::string& name);

struct AssetRecord {
  AssetId id = 0;
  std::string sha256;  // lowercase hex of the file's bytes
  std::string path;    // relative to the project folder: "media/<sha256>.<ext>"
  AssetKind kind = AssetKind::Unset;
  std::int64_t sizeBytes = 0;
  std::string mediaInfoJson = "{}";  // duration, size, codec: whatever the importer learned
  bool operator==(const AssetRecord&) const = default;
};

}  // namespace lanterna::app
