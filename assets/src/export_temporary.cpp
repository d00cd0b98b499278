#include "export_temporary.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "file_util.h"
#include "lanterna/assets/video_writer.h"

namespace lanterna::assets {
namespace {

constexpr const char* kMarker = ".lanterna-export-partial";

bool isExportTemporaryName(const std::string& name) {
  return name.size() > 1 && name.front() == '.' && name.find(kMarker) != std::string::npos;
}

bool lockNow(int fd) { return ::flock(fd, LOCK_EX | LOCK_NB) == 0; }

// The lock holds the inode: a sweeper of another process may have removed the name between our open and our lock.
bool stillNamed(int fd, const std::filesystem::path& path) {
  struct stat held {}, named {};
  return ::fstat(fd, &held) == 0 && ::lstat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
         held.st_ino == named.st_ino;
}

}  // namespace

std::filesystem::path exportTemporaryPath(const std::filesystem::path& target) {
  return target.parent_path() / ("." + target.stem().string() + kMarker + target.extension().string());
}

int sweepStaleExportTemporaries(const std::filesystem::path& folder) {
  int removed = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(folder, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    if (!isExportTemporaryName(it->path().filename().string())) continue;
    // O_NOFOLLOW: a link that merely carries our name is not ours to remove.
    const int fd = ::open(it->path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    if (lockNow(fd) && stillNamed(fd, it->path())) {
      std::error_code removeError;
      if (std::filesystem::remove_all(it->path(), removeError) > 0) ++removed;
    }
    ::close(fd);
  }
  return removed;
}

Result<ExportTemporary> ExportTemporary::claim(const std::filesystem::path& target, bool folder) {
  const std::filesystem::path path = exportTemporaryPath(target);
  sweepStaleExportTemporaries(path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path());
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::error_code ec;
    if (folder) std::filesystem::create_directory(path, ec);
    const int fd = folder ? ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
                          : ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
      const int code = ec ? ec.value() : errno;
      return makeError(code == ENOSPC ? ErrorKind::DiskFull : ErrorKind::NoWriteAccess,
                       "Cannot export " + quoted(target) + ": cannot create the temporary " +
                           (folder ? "folder" : "file") + " (" + std::strerror(code) + ").",
                       target);
    }
    if (lockNow(fd) && stillNamed(fd, path)) return ExportTemporary(path, fd);
    ::close(fd);
    // Locked: a sweeper holds it for a moment, or another export writes this very target.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return makeError(ErrorKind::InvalidArgument,
                   "Cannot export " + quoted(target) + ": another export to the same file is running.", target);
}

ExportTemporary::ExportTemporary(ExportTemporary&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

ExportTemporary& ExportTemporary::operator=(ExportTemporary&& other) noexcept {
  if (this != &other) {
    unlock();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

ExportTemporary::~ExportTemporary() { unlock(); }

void ExportTemporary::unlock() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace lanterna::assets
