// The project file's schema, one migration step per version; PRAGMA user_version holds the version a file is at.
// Steps only ever append: a released step is never edited, so every old file takes the same path forward.
#pragma once

#include "sqlite_database.h"

namespace lanterna::app {

constexpr int kProjectSchemaVersion = 3;

// Runs the steps from `from` (0 = empty file) up to `to` inside one transaction and sets user_version.
void migrateSchema(Database& db, int from, int to);

}  // namespace lanterna::app
