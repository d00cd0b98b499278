#include "lanterna/app/project_store.h"

#include <sys/statvfs.h>

#include <system_error>

#include "project_schema.h"
#include "project_store_impl.h"

namespace lanterna::app {
namespace fs = std::filesystem;

static_assert(ProjectStore::kSchemaVersion == kProjectSchemaVersion);

namespace {

void configure(Database& db) {
  db.exec("PRAGMA foreign_keys = ON");
  if (!db.readOnly()) db.exec("PRAGMA journal_mode = WAL");
}

// VACUUM INTO writes a consistent copy, WAL contents included, without touching the original.
void backUp(Database& db, const fs::path& file, int version) {
  const fs::path backup = file.string() + ".bak-v" + std::to_string(version);
  fs::remove(backup);  // an earlier backup of the same version holds the same schema; the fresh one wins
  Statement(db, "VACUUM INTO ?").bind(1, backup.string()).run();
}

bool onReadOnlyVolume(const fs::path& file) {
  struct statvfs volume {};
  const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  return statvfs(folder.c_str(), &volume) == 0 && (volume.f_flag & ST_RDONLY) != 0;
}

}  // namespace

ProjectStore::ProjectStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProjectStore::ProjectStore(ProjectStore&&) noexcept = default;
ProjectStore& ProjectStore::operator=(ProjectStore&&) noexcept = default;
ProjectStore::~ProjectStore() = default;

const fs::path& ProjectStore::file() const { return impl_->file; }
fs::path ProjectStore::mediaDir() const { return impl_->file.parent_path() / "media"; }
int ProjectStore::schemaVersion() const { return impl_->version; }
bool ProjectStore::readOnly() const { return impl_->readOnly; }

Result<ProjectStore> ProjectStore::create(const fs::path& file, const timeline::ProjectSettings& settings) {
  if (fs::exists(file))
    return makeError(ErrorKind::InvalidArgument,
                     "Cannot create \"" + file.string() + "\": a file is already there. It was not changed.", file);
  if (!settings.frameRate.valid() || settings.width <= 0 || settings.height <= 0)
    return makeError(ErrorKind::InvalidArgument,
                     "Cannot create \"" + file.string() + "\": the frame rate and size must be positive.", file);
  auto created = guarded<ProjectStore>(file, "create", [&] {
    auto impl = std::make_unique<Impl>(Impl{Database::open(file, OpenMode::ReadWrite, true), file});
    configure(impl->db);
    migrateSchema(impl->db, 0, kProjectSchemaVersion);
    impl->version = kProjectSchemaVersion;
    return ProjectStore(std::move(impl));
  });
  if (!created) {
    std::error_code ignored;
    fs::remove(file, ignored);  // never leave a half-made project behind
    return created;
  }
  timeline::DocumentSnapshot empty;
  empty.settings = settings;
  if (auto saved = created->save(empty); !saved) {
    created = saved.error();  // closes the database before its files are removed
    std::error_code ignored;
    fs::remove(file, ignored);
    fs::remove(file.string() + "-wal", ignored);
    fs::remove(file.string() + "-shm", ignored);
    return saved.error();
  }
  return created;
}

Result<ProjectStore> ProjectStore::open(const fs::path& file, StoreAccess access) {
  if (!fs::exists(file))
    return makeError(ErrorKind::FileNotFound, "Cannot open \"" + file.string() + "\": there is no such file.", file);
  // On read-only media SQLite cannot create the WAL index a normal open needs: open immutable, read-only.
  const bool readOnlyVolume = onReadOnlyVolume(file);
  return guarded<ProjectStore>(file, "open", [&]() -> Result<ProjectStore> {
    const OpenMode mode = readOnlyVolume                   ? OpenMode::Immutable
                          : access == StoreAccess::ReadOnly ? OpenMode::ReadOnly
                                                            : OpenMode::ReadWrite;
    auto impl = std::make_unique<Impl>(Impl{Database::open(file, mode, false), file});
    impl->readOnly = access == StoreAccess::ReadOnly || readOnlyVolume || impl->db.readOnly();
    configure(impl->db);
    impl->version = impl->db.userVersion();  // the first read: a file that is not a database fails here
    {
      Statement check(impl->db, "PRAGMA quick_check");
      if (!check.step() || check.text(0) != "ok")
        return makeError(ErrorKind::FormatIncorrect,
                         "Cannot open \"" + file.string() + "\": the file is damaged (" + check.text(0) + ").", file);
    }
    if (impl->version == 0)
      return makeError(ErrorKind::FormatIncorrect,
                       "Cannot open \"" + file.string() + "\": it is a SQLite file but not a Lanterna project.", file);
    if (impl->version > kProjectSchemaVersion && !impl->readOnly)
      return makeError(ErrorKind::FeatureUnsupported,
                       "Cannot open \"" + file.string() + "\" for editing: it was saved by a newer Lanterna (schema v" +
                           std::to_string(impl->version) + "; this build knows up to v" +
                           std::to_string(kProjectSchemaVersion) + "). Open it read-only or update Lanterna. "
                           "The file was not changed.",
                       file);
    if (impl->version < kProjectSchemaVersion) {
      if (impl->readOnly)
        return makeError(ErrorKind::NoWriteAccess,
                         "Cannot open \"" + file.string() + "\": it needs an upgrade from schema v" +
                             std::to_string(impl->version) + " and is read-only.",
                         file);
      backUp(impl->db, file, impl->version);
      migrateSchema(impl->db, impl->version, kProjectSchemaVersion);
      impl->version = kProjectSchemaVersion;
    }
    if (!impl->readOnly)
      impl->db.exec("UPDATE generations SET status = 'interrupted' WHERE status IN ('queued', 'running')");
    return ProjectStore(std::move(impl));
  });
}

}  // namespace lanterna::app
