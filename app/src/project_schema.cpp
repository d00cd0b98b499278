#include "project_schema.h"

#include <string>

namespace lanterna::app {
namespace {

// v1: the document, assets and generation history.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE project (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  name TEXT NOT NULL,
  fps_num INTEGER NOT NULL CHECK (fps_num > 0),
  fps_den INTEGER NOT NULL CHECK (fps_den > 0),
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  next_id INTEGER NOT NULL
);
CREATE TABLE tracks (
  id INTEGER PRIMARY KEY,
  position INTEGER NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('prompt', 'reference_image', 'video', 'audio')),
  name TEXT NOT NULL
);
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  start_frame INTEGER NOT NULL,
  duration_frames INTEGER NOT NULL CHECK (duration_frames > 0),
  fade_in_frames INTEGER NOT NULL DEFAULT 0,
  fade_out_frames INTEGER NOT NULL DEFAULT 0,
  crossfade_in_frames INTEGER NOT NULL DEFAULT 0,
  asset_id INTEGER,
  in_point_frames INTEGER,
  source_duration_frames INTEGER,
  active_take INTEGER,
  settings_json TEXT
);
CREATE INDEX items_by_track ON items(track_id, start_frame);
CREATE TABLE takes (
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  generation_id INTEGER NOT NULL,
  asset_id INTEGER NOT NULL,
  source_duration_frames INTEGER NOT NULL,
  PRIMARY KEY (item_id, position)
);
CREATE TABLE assets (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  kind TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  media_info TEXT NOT NULL DEFAULT '{}',
  created_ms INTEGER NOT NULL
);
CREATE TABLE generations (
  id INTEGER PRIMARY KEY,
  prompt TEXT NOT NULL,
  negative_prompt TEXT NOT NULL,
  model_file TEXT NOT NULL,
  model_sha256 TEXT NOT NULL,
  sampler TEXT NOT NULL,
  steps INTEGER NOT NULL,
  cfg REAL NOT NULL,
  seed INTEGER NOT NULL,
  seed_locked INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  frames INTEGER NOT NULL,
  fps_num INTEGER NOT NULL,
  fps_den INTEGER NOT NULL,
  strength REAL NOT NULL,
  reference_images TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
  error_message TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  outputs TEXT NOT NULL DEFAULT '[]'
);
)sql";

// v2: variations (a generation made from another) and the motion amount of video models.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE generations ADD COLUMN parent_id INTEGER REFERENCES generations(id) ON DELETE SET NULL;
ALTER TABLE generations ADD COLUMN motion_amount REAL NOT NULL DEFAULT 0.5;
CREATE INDEX generations_by_parent ON generations(parent_id);
CREATE INDEX generations_by_status ON generations(status);
)sql";

// v3: clip speed (a reduced fraction) and how a clip's frames are conformed to the project rate.
constexpr const char* kVersion3 = R"sql(
ALTER TABLE items ADD COLUMN speed_num INTEGER NOT NULL DEFAULT 1 CHECK (speed_num > 0);
ALTER TABLE items ADD COLUMN speed_den INTEGER NOT NULL DEFAULT 1 CHECK (speed_den > 0);
ALTER TABLE items ADD COLUMN conform TEXT NOT NULL DEFAULT 'repeat' CHECK (conform IN ('repeat', 'interpolate'));
)sql";

constexpr const char* kSteps[] = {kVersion1, kVersion2, kVersion3};
static_assert(std::size(kSteps) == kProjectSchemaVersion, "one step per schema version");

}  // namespace

void migrateSchema(Database& db, int from, int to) {
  Transaction transaction(db);
  for (int version = from; version < to; ++version) db.exec(kSteps[version]);
  db.setUserVersion(to);
  transaction.commit();
}

}  // namespace lanterna::app
