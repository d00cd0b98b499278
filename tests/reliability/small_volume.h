// A tiny tmpfs mounted under a temp folder, for disk-full and read-only tests. Needs root (or CAP_SYS_ADMIN); where
// mounting is not permitted, ok() is false and why() says so, and the test skips.
//   SmallVolume volume(1 << 20);  if (!volume.ok()) GTEST_SKIP() << volume.why();
//   volume.fill();                // the volume is now full: writes fail with ENOSPC
//   volume.makeReadOnly();        // remount read-only: writes fail with EROFS, even for root
#pragma once

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace lanterna::testing {

class SmallVolume {
 public:
  explicit SmallVolume(std::size_t sizeBytes) {
    path_ = std::filesystem::temp_directory_path() / ("lanterna-volume-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path_);
    options_ = "size=" + std::to_string(sizeBytes);
    if (mount("tmpfs", path_.c_str(), "tmpfs", 0, options_.c_str()) != 0) {
      why_ = std::string("cannot mount a small tmpfs (") + std::strerror(errno) + "); run as root to test disk full";
      return;
    }
    mounted_ = true;
  }
  ~SmallVolume() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  SmallVolume(const SmallVolume&) = delete;
  SmallVolume& operator=(const SmallVolume&) = delete;

  bool ok() const { return mounted_; }
  const std::string& why() const { return why_; }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  // Writes a filler file until the volume refuses more bytes.
  void fill() {
    std::ofstream filler(path_ / "filler", std::ios::binary);
    const std::string block(4096, 'f');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size())) && filler.flush()) {
    }
  }
  void unfill() { std::filesystem::remove(path_ / "filler"); }
  bool makeReadOnly() {
    return mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, options_.c_str()) == 0;
  }

 private:
  std::filesystem::path path_;
  std::string options_, why_;
  bool mounted_ = false;
};

}  // namespace lanterna::testing
