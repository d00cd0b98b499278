// Content-addressed media: media/<sha256>.<ext> beside the project file, one copy per distinct content.
#include "lanterna/app/project_store.h"

#include "project_store_impl.h"

#include <QCryptographicHash>
#include <QFile>

#include <algorithm>
#include <cctype>

namespace lanterna::app {
namespace fs = std::filesystem;

namespace {

constexpr const char* kAssetColumns = "id, sha256, path, kind, size_bytes, media_info";

AssetRecord readAsset(const Statement& row) {
  return AssetRecord{row.int64(0), row.text(1), row.text(2), parseAssetKind(row.text(3)).value_or(AssetKind::Unset),
                     row.int64(4), row.text(5)};
}

Result<std::string> hashFile(const fs::path& source) {
  QFile file(QString::fromStdString(source.string()));
  if (!file.open(QIODevice::ReadOnly))
    return makeError(fs::exists(source) ? ErrorKind::NoReadAccess : ErrorKind::FileNotFound,
                     "Cannot import \"" + source.string() + "\": " + file.errorString().toStdString() + ".", source);
  QCryptographicHash hash(QCryptographicHash::Sha256);
  if (!hash.addData(&file))
    return makeError(ErrorKind::NoReadAccess, "Cannot import \"" + source.string() + "\": reading it failed.", source);
  return hash.result().toHex().toStdString();
}

std::string lowercaseExtension(const fs::path& source) {
  std::string ext = source.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

// Copies under a temporary name first, so media/ never holds a partial file under a real hash name.
void copyInto(const fs::path& source, const fs::path& target) {
  fs::create_directories(target.parent_path());
  const fs::path temp = target.string() + ".partial";
  try {
    fs::copy_file(source, temp, fs::copy_options::overwrite_existing);
    fs::rename(temp, target);
  } catch (const fs::filesystem_error&) {
    std::error_code ignored;
    fs::remove(temp, ignored);  // a disk-full copy must not keep the little space that is left
    throw;
  }
}

}  // namespace

Result<AssetRecord> ProjectStore::importMedia(const fs::path& source, AssetKind kind,
                                              const std::string& mediaInfoJson) {
  if (auto writable = requireWritable(*impl_, "import media into"); !writable) return writable.error();
  auto sha256 = hashFile(source);
  if (!sha256) return sha256.error();
  return guarded<AssetRecord>(impl_->file, "import media into", [&]() -> Result<AssetRecord> {
    Statement existing(impl_->db, std::string("SELECT ") + kAssetColumns + " FROM assets WHERE sha256 = ?");
    existing.bind(1, *sha256);
    const std::string relative = "media/" + *sha256 + lowercaseExtension(source);
    const fs::path target = impl_->file.parent_path() / relative;
    if (existing.step()) {
      AssetRecord known = readAsset(existing);
      // The row survives a deleted file; put the bytes back rather than point at nothing.
      if (!fs::exists(impl_->file.parent_path() / known.path)) copyInto(source, impl_->file.parent_path() / known.path);
      return known;
    }
    if (!fs::exists(target)) copyInto(source, target);
    AssetRecord record{0, *sha256, relative, kind, static_cast<std::int64_t>(fs::file_size(target)), mediaInfoJson};
    Statement(impl_->db, "INSERT INTO assets(sha256, path, kind, size_bytes, media_info, created_ms) "
                         "VALUES(?, ?, ?, ?, ?, ?)")
        .bind(1, record.sha256).bind(2, record.path).bind(3, std::string(assetKindName(kind)))
        .bind(4, record.sizeBytes).bind(5, record.mediaInfoJson).bind(6, nowMs()).run();
    record.id = impl_->db.lastInsertId();
    return record;
  });
}

Result<AssetRecord> ProjectStore::asset(AssetId id) const {
  return guarded<AssetRecord>(impl_->file, "read the assets of", [&]() -> Result<AssetRecord> {
    Statement query(impl_->db, std::string("SELECT ") + kAssetColumns + " FROM assets WHERE id = ?");
    query.bind(1, id);
    if (!query.step())
      return makeError(ErrorKind::InvalidArgument,
                       "\"" + impl_->file.string() + "\" has no asset " + std::to_string(id) + ".", impl_->file);
    return readAsset(query);
  });
}

Result<std::vector<AssetRecord>> ProjectStore::assets() const {
  return guarded<std::vector<AssetRecord>>(impl_->file, "read the assets of", [&] {
    Statement query(impl_->db, std::string("SELECT ") + kAssetColumns + " FROM assets ORDER BY id");
    std::vector<AssetRecord> records;
    while (query.step()) records.push_back(readAsset(query));
    return records;
  });
}

}  // namespace lanterna::app
