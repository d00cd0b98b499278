// One project on disk: a SQLite file (the document, assets, generation history) and a media/ folder beside it
// holding content-addressed files. Usage:
//   auto store = ProjectStore::create("trip.lanterna", ProjectSettings{"Trip", FrameRate{24, 1}, 1280, 720});
//   store->save(document.snapshot());                  // one transaction; Status
//   auto snapshot = store->load();                     // Result<DocumentSnapshot>
//   auto asset = store->importMedia("clip.mp4", AssetKind::Video);
//   GenerationId id = *store->addGeneration(record);
//   store->setGenerationStatus(id, GenerationStatus::Running);
// A ProjectStore is used by one thread at a time; open a second one (same file) for another thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lanterna/app/generation_record.h"
#include "lanterna/result.h"
#include "lanterna/timeline/document_snapshot.h"

namespace lanterna::app {

enum class StoreAccess { ReadWrite, ReadOnly };

class ProjectStore {
 public:
  static constexpr int kSchemaVersion = 3;

  // Refuses an existing file. Writes the settings and an empty document.
  static Result<ProjectStore> create(const std::filesystem::path& file, const timeline::ProjectSettings& settings);
  // An older schema is migrated after a backup copy "<file>.bak-v<old>"; a newer one is refused unless ReadOnly.
  // Generations left queued or running by a crash become Interrupted (ReadWrite only).
  static Result<ProjectStore> open(const std::filesystem::path& file, StoreAccess access = StoreAccess::ReadWrite);

  ProjectStore(ProjectStore&&) noexcept;
  ProjectStore& operator=(ProjectStore&&) noexcept;
  ~ProjectStore();

  const std::filesystem::path& file() const;
  std::filesystem::path mediaDir() const;  // "<folder of file>/media"
  int schemaVersion() const;               // of the file, which may be newer than kSchemaVersion when ReadOnly
  bool readOnly() const;

  // The whole document in one transaction: either all of it is written or none.
  Status save(const timeline::DocumentSnapshot& snapshot);
  Result<timeline::DocumentSnapshot> load() const;

  Result<GenerationId> addGeneration(const GenerationRecord& record);  // id ignored; createdMs 0 means now
  // Writes status, error, timings and outputs of record.id.
  Status updateGeneration(const GenerationRecord& record);
  // Running stamps startedMs; Done/Failed/Cancelled/Interrupted stamp finishedMs and durationMs.
  Status setGenerationStatus(GenerationId id, GenerationStatus status, const std::string& errorMessage = {});
  Status setGenerationOutputs(GenerationId id, const std::vector<AssetId>& outputs);
  Result<GenerationRecord> generation(GenerationId id) const;
  Result<std::vector<GenerationRecord>> listGenerations(const HistoryFilter& filter = {}) const;  // newest first

  // Copies the file into media/ under its sha256 (temp name, then rename); the same bytes are stored once.
  Result<AssetRecord> importMedia(const std::filesystem::path& source, AssetKind kind,
                                  const std::string& mediaInfoJson = "{}");
  Result<AssetRecord> asset(AssetId id) const;
  Result<std::vector<AssetRecord>> assets() const;

  struct Impl;

 private:
  explicit ProjectStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lanterna::app
