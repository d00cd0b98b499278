// What ProjectStore's parts share: the open database, and `guarded`, which turns SQLite and filesystem failures
// into Errors that name the project file.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "lanterna/app/project_store.h"
#include "sqlite_database.h"

namespace lanterna::app {

struct ProjectStore::Impl {
  Database db;
  std::filesystem::path file;
  int version = 0;
  bool readOnly = false;
};

inline std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <class T, class Work>
Result<T> guarded(const std::filesystem::path& file, const std::string& doing, Work&& work) {
  try {
    return work();
  } catch (const SqliteError& e) {
    return toError(e, file, doing);
  } catch (const std::filesystem::filesystem_error& e) {
    const bool full = e.code() == std::errc::no_space_on_device;
    return makeError(full ? ErrorKind::DiskFull : ErrorKind::NoWriteAccess,
                     "Cannot " + doing + " \"" + file.string() + "\": " + e.code().message() + ".", file);
  }
}

inline Status requireWritable(const ProjectStore::Impl& impl, const std::string& doing) {
  if (!impl.readOnly) return Ok{};
  return makeError(ErrorKind::NoWriteAccess,
                   "Cannot " + doing + " \"" + impl.file.string() + "\": the project is open read-only.", impl.file);
}

}  // namespace lanterna::app
