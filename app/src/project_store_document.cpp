// Saving and loading the document snapshot: tracks, items with their payload columns, takes.
#include "lanterna/app/project_store.h"

#include "generation_settings_json.h"
#include "lanterna/timeline/clip_speed.h"
#include "project_store_impl.h"

#include <sqlite3.h>

namespace lanterna::app {
namespace tl = timeline;

namespace {

constexpr const char* kTrackKinds[] = {"prompt", "reference_image", "video", "audio"};

std::optional<tl::TrackKind> parseTrackKind(const std::string& name) {
  for (int i = 0; i < 4; ++i)
    if (name == kTrackKinds[i]) return static_cast<tl::TrackKind>(i);
  return std::nullopt;
}

void insertItem(Database& db, const tl::Item& item) {
  Statement insert(db,
                   "INSERT INTO items(id, track_id, start_frame, duration_frames, fade_in_frames, fade_out_frames, "
                   "crossfade_in_frames, asset_id, in_point_frames, source_duration_frames, active_take, "
                   "settings_json, speed_num, speed_den, conform) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, item.id).bind(2, item.track).bind(3, item.start.frames).bind(4, item.duration.frames);
  insert.bind(5, item.fadeIn.frames).bind(6, item.fadeOut.frames).bind(7, item.crossfadeIn.frames);
  for (int column : {8, 9, 10, 11, 12}) insert.bindNull(column);
  insert.bind(13, std::int64_t(1)).bind(14, std::int64_t(1)).bind(15, std::string("repeat"));
  auto bindMedia = [&](tl::AssetId asset, tl::FrameTime inPoint, tl::FrameTime sourceDuration) {
    insert.bind(8, asset).bind(9, inPoint.frames).bind(10, sourceDuration.frames);
  };
  if (const auto* prompt = std::get_if<tl::PromptPayload>(&item.payload))
    insert.bind(12, toJson(prompt->settings).dump());
  else if (const auto* image = std::get_if<tl::ReferenceImagePayload>(&item.payload))
    insert.bind(8, image->asset);
  else if (const auto* audio = std::get_if<tl::AudioPayload>(&item.payload))
    bindMedia(audio->asset, audio->inPoint, audio->sourceDuration);
  else if (const auto* video = std::get_if<tl::VideoPayload>(&item.payload)) {
    bindMedia(video->asset, video->inPoint, video->sourceDuration);
    insert.bind(11, video->activeTake);
    insert.bind(13, video->speed.num).bind(14, video->speed.den);
    insert.bind(15, std::string(tl::conformModeName(video->conform)));
  }
  insert.run();
  if (const auto* video = std::get_if<tl::VideoPayload>(&item.payload)) {
    Statement take(db, "INSERT INTO takes(item_id, position, generation_id, asset_id, source_duration_frames) "
                       "VALUES(?, ?, ?, ?, ?)");
    for (size_t i = 0; i < video->takes.size(); ++i) {
      const auto& t = video->takes[i];
      take.bind(1, item.id).bind(2, static_cast<std::int64_t>(i)).bind(3, t.generation).bind(4, t.asset);
      take.bind(5, t.sourceDuration.frames).run();
      take.reset();
    }
  }
}

std::vector<tl::Take> loadTakes(Database& db, tl::ItemId item) {
  std::vector<tl::Take> takes;
  Statement query(db, "SELECT generation_id, asset_id, source_duration_frames FROM takes WHERE item_id = ? "
                      "ORDER BY position");
  query.bind(1, item);
  while (query.step()) takes.push_back(tl::Take{query.int64(0), query.int64(1), tl::FrameTime{query.int64(2)}});
  return takes;
}

}  // namespace

Status ProjectStore::save(const tl::DocumentSnapshot& snapshot) {
  if (auto writable = requireWritable(*impl_, "save"); !writable) return writable;
  if (auto problem = tl::consistencyProblem(snapshot); !problem.empty())
    return makeError(ErrorKind::InvalidArgument, "Cannot save \"" + impl_->file.string() +
                                                     "\": the document is inconsistent (" + problem +
                                                     "). The file was not changed.", impl_->file);
  return guarded<Ok>(impl_->file, "save", [&] {
    Database& db = impl_->db;
    Transaction transaction(db);
    db.exec("DELETE FROM takes; DELETE FROM items; DELETE FROM tracks; DELETE FROM project;");
    const auto& s = snapshot.settings;
    Statement(db, "INSERT INTO project(id, name, fps_num, fps_den, width, height, next_id) "
                  "VALUES(1, ?, ?, ?, ?, ?, ?)")
        .bind(1, s.name).bind(2, s.frameRate.num).bind(3, s.frameRate.den).bind(4, s.width).bind(5, s.height)
        .bind(6, snapshot.nextId).run();
    Statement track(db, "INSERT INTO tracks(id, position, kind, name) VALUES(?, ?, ?, ?)");
    for (size_t i = 0; i < snapshot.tracks.size(); ++i) {
      const auto& t = snapshot.tracks[i];
      track.bind(1, t.id).bind(2, static_cast<std::int64_t>(i)).bind(3, std::string(kTrackKinds[int(t.kind)]));
      track.bind(4, t.name).run();
      track.reset();
    }
    for (const auto& item : snapshot.items) insertItem(db, item);
    transaction.commit();
    return Ok{};
  });
}

Result<tl::DocumentSnapshot> ProjectStore::load() const {
  auto loaded = guarded<tl::DocumentSnapshot>(impl_->file, "load", [&]() -> Result<tl::DocumentSnapshot> {
    Database& db = impl_->db;
    Transaction reading(db, Transaction::Kind::Read);  // one consistent view even if another connection writes meanwhile
    tl::DocumentSnapshot snapshot;
    Statement project(db, "SELECT name, fps_num, fps_den, width, height, next_id FROM project WHERE id = 1");
    if (!project.step()) throw SqliteError(SQLITE_CORRUPT, "the project row is missing");
    snapshot.settings = tl::ProjectSettings{project.text(0), tl::FrameRate{project.int64(1), project.int64(2)},
                                            static_cast<int>(project.int64(3)), static_cast<int>(project.int64(4))};
    snapshot.nextId = project.int64(5);
    Statement tracks(db, "SELECT id, kind, name FROM tracks ORDER BY position");
    while (tracks.step()) {
      auto kind = parseTrackKind(tracks.text(1));
      if (!kind) throw SqliteError(SQLITE_CORRUPT, "unknown track kind \"" + tracks.text(1) + "\"");
      snapshot.tracks.push_back(tl::Track{tracks.int64(0), *kind, tracks.text(2)});
    }
    Statement items(db, "SELECT i.id, i.track_id, i.start_frame, i.duration_frames, i.fade_in_frames, "
                        "i.fade_out_frames, i.crossfade_in_frames, i.asset_id, i.in_point_frames, "
                        "i.source_duration_frames, i.active_take, i.settings_json, t.kind, i.speed_num, "
                        "i.speed_den, i.conform "
                        "FROM items i JOIN tracks t ON t.id = i.track_id ORDER BY i.id");
    while (items.step()) {
      tl::Item item{items.int64(0), items.int64(1), tl::FrameTime{items.int64(2)}, tl::FrameTime{items.int64(3)},
                    tl::FrameTime{items.int64(4)}, tl::FrameTime{items.int64(5)}, tl::FrameTime{items.int64(6)}, {}};
      const tl::AssetId asset = items.int64(7);
      const tl::FrameTime inPoint{items.int64(8)}, sourceDuration{items.int64(9)};
      switch (*parseTrackKind(items.text(12))) {
        case tl::TrackKind::Prompt:
          try {
            item.payload = tl::PromptPayload{generationSettingsFromJson(nlohmann::json::parse(items.text(11)))};
          } catch (const nlohmann::json::exception& e) {
            throw SqliteError(SQLITE_CORRUPT, "item " + std::to_string(item.id) + " has unreadable settings: " + e.what());
          }
          break;
        case tl::TrackKind::ReferenceImage: item.payload = tl::ReferenceImagePayload{asset}; break;
        case tl::TrackKind::Audio: item.payload = tl::AudioPayload{asset, inPoint, sourceDuration}; break;
        case tl::TrackKind::Video: {
          const auto conform = tl::parseConformMode(items.text(15));
          if (!conform) throw SqliteError(SQLITE_CORRUPT, "item " + std::to_string(item.id) + " has unknown conform \"" +
                                                              items.text(15) + "\"");
          item.payload = tl::VideoPayload{asset, inPoint, sourceDuration, loadTakes(db, item.id),
                                          static_cast<int>(items.int64(10)),
                                          tl::Rational::reduced(items.int64(13), items.int64(14)), *conform};
          break;
        }
      }
      snapshot.items.push_back(std::move(item));
    }
    return snapshot;
  });
  if (loaded) {
    if (auto problem = tl::consistencyProblem(*loaded); !problem.empty())
      return makeError(ErrorKind::FormatIncorrect,
                       "Cannot load \"" + impl_->file.string() + "\": the saved document is inconsistent (" + problem + ").",
                       impl_->file);
  }
  return loaded;
}

}  // namespace lanterna::app
