#include "file_util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <system_error>

namespace lanterna::assets {

std::string quoted(const std::filesystem::path& path) { return "\"" + path.filename().string() + "\""; }

Status checkReadable(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status))
    return makeError(ErrorKind::FileNotFound, "Cannot open " + quoted(path) + ": the file does not exist.", path);
  if (std::filesystem::is_directory(status))
    return makeError(ErrorKind::FormatIncorrect, "Cannot open " + quoted(path) + ": it is a folder, not a file.",
                     path);
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) {
    const int code = errno;
    return makeError(code == EACCES || code == EPERM ? ErrorKind::NoReadAccess : ErrorKind::Internal,
                     "Cannot open " + quoted(path) + ": " + std::strerror(code) + ".", path);
  }
  std::fclose(file);
  return Ok{};
}

Result<std::vector<std::uint8_t>> readWholeFile(const std::filesystem::path& path) {
  if (auto readable = checkReadable(path); !readable) return readable.error();
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad())
    return makeError(ErrorKind::NoReadAccess, "Cannot read " + quoted(path) + ": a read error occurred.", path);
  return bytes;
}

std::filesystem::path temporarySibling(const std::filesystem::path& target) {
  return target.parent_path() / ("." + target.stem().string() + ".lanterna-partial" + target.extension().string());
}

Status commitTemporary(const std::filesystem::path& temporary, const std::filesystem::path& target) {
  std::error_code ec;
  std::filesystem::rename(temporary, target, ec);
  if (!ec) return Ok{};
  std::filesystem::remove_all(temporary, ec);
  return makeError(ErrorKind::NoWriteAccess,
                   "Cannot write " + quoted(target) + ": renaming the finished temporary file failed.", target);
}

Status writeWholeFile(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) {
    const int code = errno;
    return makeError(code == ENOSPC ? ErrorKind::DiskFull : ErrorKind::NoWriteAccess,
                     "Cannot write " + quoted(path) + ": " + std::strerror(code) + ".", path);
  }
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  const int code = errno;
  const bool closed = std::fclose(file) == 0;
  if (written && closed) return Ok{};
  std::error_code ec;
  std::filesystem::remove(path, ec);
  return makeError(code == ENOSPC ? ErrorKind::DiskFull : ErrorKind::NoWriteAccess,
                   "Cannot write " + quoted(path) + ": " + std::strerror(code) + ".", path);
}

}  // namespace lanterna::assets
