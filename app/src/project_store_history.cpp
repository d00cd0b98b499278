// Generation history: the full request of every generation, its status, timings and outputs.
#include "lanterna/app/project_store.h"

#include "project_store_impl.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

namespace lanterna::app {
namespace {

constexpr const char* kStatusNames[] = {"queued", "running", "done", "failed", "cancelled", "interrupted"};
constexpr const char* kAssetKindNames[] = {"unset", "image", "video", "audio"};

constexpr const char* kColumns =
    "id, parent_id, prompt, negative_prompt, model_file, model_sha256, sampler, steps, cfg, seed, seed_locked, "
    "width, height, frames, fps_num, fps_den, strength, motion_amount, reference_images, status, error_message, "
    "created_ms, started_ms, finished_ms, duration_ms, outputs";

std::vector<AssetId> parseIds(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_array()) throw SqliteError(SQLITE_CORRUPT, "a list of asset ids is unreadable: " + text);
  std::vector<AssetId> ids;
  for (const auto& id : json)
    if (id.is_number_integer()) ids.push_back(id.get<AssetId>());
  return ids;
}

GenerationRecord readRecord(const Statement& row) {
  GenerationRecord r;
  r.id = row.int64(0);
  r.parent = row.isNull(1) ? 0 : row.int64(1);
  auto& q = r.request;
  q.prompt = row.text(2);
  q.negativePrompt = row.text(3);
  q.model = row.text(4);
  r.modelSha256 = row.text(5);
  q.sampler = row.text(6);
  q.steps = static_cast<int>(row.int64(7));
  q.cfg = row.real(8);
  q.seed = row.int64(9);
  q.seedLocked = row.int64(10) != 0;
  q.width = static_cast<int>(row.int64(11));
  q.height = static_cast<int>(row.int64(12));
  q.frames = static_cast<int>(row.int64(13));
  q.fps = timeline::FrameRate{row.int64(14), row.int64(15)};
  q.strength = row.real(16);
  q.motionAmount = row.real(17);
  q.referenceImages = parseIds(row.text(18));
  r.status = parseGenerationStatus(row.text(19)).value_or(GenerationStatus::Interrupted);
  r.errorMessage = row.text(20);
  r.createdMs = row.int64(21);
  r.startedMs = row.int64(22);
  r.finishedMs = row.int64(23);
  r.durationMs = row.int64(24);
  r.outputs = parseIds(row.text(25));
  return r;
}

Result<GenerationRecord> missing(const std::filesystem::path& file, GenerationId id) {
  return makeError(ErrorKind::InvalidArgument,
                   "\"" + file.string() + "\" has no generation " + std::to_string(id) + ".", file);
}

}  // namespace

const char* generationStatusName(GenerationStatus status) { return kStatusNames[static_cast<int>(status)]; }

std::optional<GenerationStatus> parseGenerationStatus(const std::string& name) {
  for (int i = 0; i < 6; ++i)
    if (name == kStatusNames[i]) return static_cast<GenerationStatus>(i);
  return std::nullopt;
}

const char* assetKindName(AssetKind kind) { return kAssetKindNames[static_cast<int>(kind)]; }

std::optional<AssetKind> parseAssetKind(const std::string& name) {
  for (int i = 0; i < 4; ++i)
    if (name == kAssetKindNames[i]) return static_cast<AssetKind>(i);
  return std::nullopt;
}

Result<GenerationId> ProjectStore::addGeneration(const GenerationRecord& record) {
  if (auto writable = requireWritable(*impl_, "add a generation to"); !writable) return writable.error();
  return guarded<GenerationId>(impl_->file, "add a generation to", [&] {
    const auto& q = record.request;
    Statement insert(impl_->db, std::string("INSERT INTO generations(") + kColumns +
                                    ") VALUES(NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                    "?, ?, ?)");
    record.parent ? insert.bind(1, record.parent) : insert.bindNull(1);
    insert.bind(2, q.prompt).bind(3, q.negativePrompt).bind(4, q.model).bind(5, record.modelSha256);
    insert.bind(6, q.sampler).bind(7, q.steps).bind(8, q.cfg).bind(9, q.seed).bind(10, int(q.seedLocked));
    insert.bind(11, q.width).bind(12, q.height).bind(13, q.frames).bind(14, q.fps.num).bind(15, q.fps.den);
    insert.bind(16, q.strength).bind(17, q.motionAmount).bind(18, nlohmann::json(q.referenceImages).dump());
    insert.bind(19, std::string(generationStatusName(record.status))).bind(20, record.errorMessage);
    insert.bind(21, record.createdMs ? record.createdMs : nowMs()).bind(22, record.startedMs);
    insert.bind(23, record.finishedMs).bind(24, record.durationMs).bind(25, nlohmann::json(record.outputs).dump());
    insert.run();
    return GenerationId{impl_->db.lastInsertId()};
  });
}

Status ProjectStore::updateGeneration(const GenerationRecord& record) {
  if (auto writable = requireWritable(*impl_, "update a generation in"); !writable) return writable;
  if (auto existing = generation(record.id); !existing) return existing.error();
  return guarded<Ok>(impl_->file, "update a generation in", [&] {
    Statement(impl_->db, "UPDATE generations SET status = ?, error_message = ?, started_ms = ?, finished_ms = ?, "
                         "duration_ms = ?, outputs = ? WHERE id = ?")
        .bind(1, std::string(generationStatusName(record.status))).bind(2, record.errorMessage)
        .bind(3, record.startedMs).bind(4, record.finishedMs).bind(5, record.durationMs)
        .bind(6, nlohmann::json(record.outputs).dump()).bind(7, record.id).run();
    return Ok{};
  });
}

Status ProjectStore::setGenerationStatus(GenerationId id, GenerationStatus status, const std::string& errorMessage) {
  auto record = generation(id);
  if (!record) return record.error();
  const std::int64_t now = nowMs();
  record->status = status;
  record->errorMessage = errorMessage;
  if (status == GenerationStatus::Running) record->startedMs = now;
  if (status != GenerationStatus::Running && status != GenerationStatus::Queued) {
    record->finishedMs = now;
    record->durationMs = record->startedMs ? now - record->startedMs : 0;
  }
  return updateGeneration(*record);
}

Status ProjectStore::setGenerationOutputs(GenerationId id, const std::vector<AssetId>& outputs) {
  auto record = generation(id);
  if (!record) return record.error();
  record->outputs = outputs;
  return updateGeneration(*record);
}

Result<GenerationRecord> ProjectStore::generation(GenerationId id) const {
  return guarded<GenerationRecord>(impl_->file, "read the history of", [&]() -> Result<GenerationRecord> {
    Statement query(impl_->db, std::string("SELECT ") + kColumns + " FROM generations WHERE id = ?");
    query.bind(1, id);
    if (!query.step()) return missing(impl_->file, id);
    return readRecord(query);
  });
}

Result<std::vector<GenerationRecord>> ProjectStore::listGenerations(const HistoryFilter& filter) const {
  return guarded<std::vector<GenerationRecord>>(impl_->file, "read the history of", [&] {
    // instr(lower()) rather than LIKE: the user's text may contain % and _.
    Statement query(impl_->db, std::string("SELECT ") + kColumns +
                                   " FROM generations WHERE (?1 IS NULL OR status = ?1) AND (?2 = '' OR "
                                   "instr(lower(prompt || ' ' || negative_prompt || ' ' || model_file), lower(?2)) > 0) "
                                   "ORDER BY created_ms DESC, id DESC LIMIT ?3");
    filter.status ? query.bind(1, std::string(generationStatusName(*filter.status))) : query.bindNull(1);
    query.bind(2, filter.text).bind(3, filter.limit > 0 ? std::int64_t{filter.limit} : std::int64_t{-1});
    std::vector<GenerationRecord> records;
    while (query.step()) records.push_back(readRecord(query));
    return records;
  });
}

}  // namespace lanterna::app
