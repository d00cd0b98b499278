// The hidden file (a folder for PNG sequences) an export writes before the final rename, and the clean-up of those a
// killed export left behind. A live export holds an flock() on its temporary; the kernel drops the lock when the
// process dies, however it dies, so an unlocked temporary is litter that no export will ever finish.
#pragma once

#include <filesystem>

#include "lanterna/result.h"

namespace lanterna::assets {

class ExportTemporary {
 public:
  // Removes the unlocked export temporaries in the target's folder (a killed export's, of this target or another),
  // then creates and locks the target's own. InvalidArgument when a live export (of any process) writes the same
  // target; DiskFull / NoWriteAccess when the temporary cannot be created.
  static Result<ExportTemporary> claim(const std::filesystem::path& target, bool folder);

  ExportTemporary() = default;
  ExportTemporary(ExportTemporary&& other) noexcept;
  ExportTemporary& operator=(ExportTemporary&& other) noexcept;
  ~ExportTemporary();

  const std::filesystem::path& path() const { return path_; }
  void unlock();  // after the rename or the removal; the destructor does it too

 private:
  ExportTemporary(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::filesystem::path path_;
  int fd_ = -1;
};

// Removes the export temporaries in `folder` that no live export holds; returns how many.
int sweepStaleExportTemporaries(const std::filesystem::path& folder);

}  // namespace lanterna::assets
