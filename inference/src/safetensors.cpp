#include "lanterna/inference/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

namespace lanterna::inference {
namespace {

constexpr std::uint64_t kMaxHeaderBytes = 100ull << 20;  // the format's own limit

struct DTypeEntry {
  const char* name;
  DType dtype;
  std::size_t sizeBytes;
};
constexpr DTypeEntry kDTypes[] = {
    {"F64", DType::F64, 8}, {"F32", DType::F32, 4}, {"F16", DType::F16, 2}, {"BF16", DType::BF16, 2},
    {"I64", DType::I64, 8}, {"I32", DType::I32, 4}, {"I16", DType::I16, 2}, {"I8", DType::I8, 1},
    {"U8", DType::U8, 1},   {"BOOL", DType::Bool, 1},
};

std::string quoted(const std::filesystem::path& path) { return "\"" + path.filename().string() + "\""; }

Error formatError(const std::filesystem::path& path, const std::string& problem,
                  ErrorKind kind = ErrorKind::FormatIncorrect) {
  return makeError(kind, "Cannot load " + quoted(path) + ": " + problem, path);
}

std::string humanBytes(std::uint64_t bytes) {
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1000.0 && unit < 4) {
    value /= 1000.0;
    ++unit;
  }
  char text[64];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

bool looksLikePickle(const std::filesystem::path& path, const unsigned char* head, std::size_t size) {
  const std::string ext = path.extension().string();
  if (ext == ".ckpt" || ext == ".pt" || ext == ".pth" || ext == ".bin") return true;
  // Pickle protocol opcode, unless it is a safetensors header length (0x180 = 384 starts 0x80 0x01) followed by '{'.
  const bool jsonFollows = size >= 9 && head[8] == '{';
  if (size >= 2 && head[0] == 0x80 && head[1] <= 5 && !jsonFollows) return true;
  if (size >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0) return true;  // torch.save zip archive
  return false;
}

}  // namespace

const char* dtypeName(DType dtype) {
  for (const auto& entry : kDTypes)
    if (entry.dtype == dtype) return entry.name;
  return "unset";
}

std::size_t dtypeSizeBytes(DType dtype) {
  for (const auto& entry : kDTypes)
    if (entry.dtype == dtype) return entry.sizeBytes;
  return 0;
}

std::int64_t TensorInfo::numel() const {
  std::int64_t count = 1;
  for (auto dim : shape) count *= dim;
  return count;
}

struct SafetensorsFile::Mapping {
  void* address = nullptr;
  std::size_t sizeBytes = 0;
  std::uint64_t dataOffset = 0;
  ~Mapping() {
    if (address && sizeBytes) munmap(address, sizeBytes);
  }
};

Result<SafetensorsFile> SafetensorsFile::open(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return makeError(ErrorKind::FileNotFound, "Cannot load " + quoted(path) + ": the file does not exist.", path);
  if (std::filesystem::is_directory(path, ec))
    return formatError(path, "this is a folder, not a .safetensors file.");

  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return makeError(ErrorKind::NoReadAccess,
                     "Cannot load " + quoted(path) + ": " + std::strerror(errno) + ".", path);
  struct stat info {};
  ::fstat(fd, &info);
  const std::uint64_t fileSize = static_cast<std::uint64_t>(info.st_size);

  unsigned char head[9] = {};
  const ssize_t headRead = fileSize >= 8 ? ::pread(fd, head, fileSize >= 9 ? 9 : 8, 0) : 0;
  if (looksLikePickle(path, head, static_cast<std::size_t>(std::max<ssize_t>(headRead, 0)))) {
    ::close(fd);
    return formatError(path,
                       "this is a PyTorch pickle checkpoint. Lanterna never unpickles files (they can run code); "
                       "convert it to .safetensors first (e.g. with the converter in diffusers or ComfyUI).",
                       ErrorKind::FeatureUnsupported);
  }
  if (fileSize < 8 || headRead < 8) {
    ::close(fd);
    return formatError(path, "the file is " + humanBytes(fileSize) + ", too short to be a safetensors file.",
                       ErrorKind::Truncated);
  }

  std::uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i) headerSize = (headerSize << 8) | head[i];
  if (headerSize > kMaxHeaderBytes)
    return ::close(fd), formatError(path, "the header claims " + humanBytes(headerSize) +
                                              ", which is not a safetensors header (wrong file type?).");
  if (8 + headerSize > fileSize)
    return ::close(fd), formatError(path, "the header claims " + humanBytes(headerSize) + " but the file is only " +
                                              humanBytes(fileSize) + " (truncated download?).",
                                    ErrorKind::Truncated);

  // MAP_PRIVATE with write access: an in-place op on a borrowed tensor gets a private page, never a crash.
  void* address = ::mmap(nullptr, fileSize, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (address == MAP_FAILED)
    return makeError(ErrorKind::OutOfMemory,
                     "Cannot load " + quoted(path) + ": could not map it into memory (" + std::strerror(errno) + ").",
                     path);

  SafetensorsFile file;
  file.path_ = path;
  file.mapping_ = std::make_shared<Mapping>();
  file.mapping_->address = address;
  file.mapping_->sizeBytes = fileSize;
  file.mapping_->dataOffset = 8 + headerSize;
  const std::uint64_t dataSize = fileSize - file.mapping_->dataOffset;

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(static_cast<const char*>(address) + 8,
                                   static_cast<const char*>(address) + 8 + headerSize);
  } catch (const nlohmann::json::exception& e) {
    return formatError(path, std::string("the header is not valid JSON (") + e.what() + ").");
  }
  if (!header.is_object()) return formatError(path, "the header is not a JSON object.");

  std::uint64_t claimedEnd = 0;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (it->is_object())
        for (auto m = it->begin(); m != it->end(); ++m)
          if (m->is_string()) file.metadata_[m.key()] = m->get<std::string>();
      continue;
    }
    const auto& entry = *it;
    const std::string& name = it.key();
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets"))
      return formatError(path, "tensor \"" + name + "\" lacks dtype, shape or data_offsets.");
    TensorInfo tensor;
    tensor.name = name;
    const std::string dtypeText = entry["dtype"].is_string() ? entry["dtype"].get<std::string>() : "?";
    for (const auto& known : kDTypes)
      if (dtypeText == known.name) tensor.dtype = known.dtype;
    if (tensor.dtype == DType::Unset)
      return formatError(path, "tensor \"" + name + "\" has dtype " + dtypeText +
                                   ", which Lanterna does not support (F32, F16, BF16 and integer types are).",
                         ErrorKind::FeatureUnsupported);
    const auto& shape = entry["shape"];
    const auto& offsets = entry["data_offsets"];
    if (!shape.is_array() || !offsets.is_array() || offsets.size() != 2)
      return formatError(path, "tensor \"" + name + "\" has a malformed shape or data_offsets.");
    // Overflow-safe element count: a lying shape must not wrap around to a small number.
    unsigned __int128 bytes = dtypeSizeBytes(tensor.dtype);
    for (const auto& dim : shape) {
      if (!dim.is_number_integer() || dim.get<std::int64_t>() < 0)
        return formatError(path, "tensor \"" + name + "\" has a negative or non-integer dimension.");
      tensor.shape.push_back(dim.get<std::int64_t>());
      bytes *= static_cast<std::uint64_t>(tensor.shape.back());
      if (bytes > (static_cast<unsigned __int128>(1) << 62))
        return formatError(path, "tensor \"" + name + "\" claims an impossible size.");
    }
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      return formatError(path, "tensor \"" + name + "\" has negative data offsets.");
    tensor.beginBytes = offsets[0].get<std::uint64_t>();
    tensor.endBytes = offsets[1].get<std::uint64_t>();
    if (tensor.endBytes < tensor.beginBytes || tensor.endBytes - tensor.beginBytes != static_cast<std::uint64_t>(bytes))
      return formatError(path, "tensor \"" + name + "\" has offsets that do not match its shape and dtype.");
    claimedEnd = std::max(claimedEnd, tensor.endBytes);
    file.tensors_.push_back(std::move(tensor));
  }
  if (claimedEnd > dataSize)
    return formatError(path, "the header says " + humanBytes(claimedEnd) + " of tensors but the file holds " +
                                 humanBytes(dataSize) + " (truncated download?).",
                       ErrorKind::Truncated);

  std::vector<const TensorInfo*> byOffset;
  for (const auto& tensor : file.tensors_) byOffset.push_back(&tensor);
  std::sort(byOffset.begin(), byOffset.end(),
            [](const TensorInfo* a, const TensorInfo* b) { return a->beginBytes < b->beginBytes; });
  for (std::size_t i = 1; i < byOffset.size(); ++i)
    if (byOffset[i]->beginBytes < byOffset[i - 1]->endBytes)
      return formatError(path, "tensors \"" + byOffset[i - 1]->name + "\" and \"" + byOffset[i]->name +
                                   "\" overlap in the file (corrupt header).");

  for (std::size_t i = 0; i < file.tensors_.size(); ++i) file.index_[file.tensors_[i].name] = i;
  return file;
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

const std::byte* SafetensorsFile::bytes(const TensorInfo& tensor) const {
  return static_cast<const std::byte*>(mapping_->address) + mapping_->dataOffset + tensor.beginBytes;
}

std::uint64_t SafetensorsFile::fileSizeBytes() const { return mapping_ ? mapping_->sizeBytes : 0; }

std::shared_ptr<const void> SafetensorsFile::keepAlive() const { return mapping_; }

Status writeSafetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  std::vector<std::uint64_t> sizes;
  for (const auto& tensor : tensors) {
    std::uint64_t bytes = dtypeSizeBytes(tensor.dtype);
    for (auto dim : tensor.shape) bytes *= static_cast<std::uint64_t>(dim);
    header[tensor.name] = {{"dtype", dtypeName(tensor.dtype)},
                           {"shape", tensor.shape},
                           {"data_offsets", {offset, offset + bytes}}};
    sizes.push_back(bytes);
    offset += bytes;
  }
  std::string headerText = header.dump();
  headerText.resize((headerText.size() + 7) / 8 * 8, ' ');

  const auto temporary = path.string() + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out)
      return makeError(ErrorKind::NoWriteAccess, "Cannot write " + quoted(path) + ": " + std::strerror(errno) + ".",
                       path);
    unsigned char length[8];
    std::uint64_t n = headerText.size();
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>((n >> (8 * i)) & 0xff);
    out.write(reinterpret_cast<const char*>(length), 8);
    out.write(headerText.data(), static_cast<std::streamsize>(headerText.size()));
    for (std::size_t i = 0; i < tensors.size(); ++i)
      out.write(static_cast<const char*>(tensors[i].data), static_cast<std::streamsize>(sizes[i]));
    out.flush();
    if (!out) {
      std::filesystem::remove(temporary);
      return makeError(ErrorKind::DiskFull, "Cannot write " + quoted(path) + ": the disk is full or failing.", path);
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec)
    return makeError(ErrorKind::NoWriteAccess, "Cannot write " + quoted(path) + ": " + ec.message() + ".", path);
  return Ok{};
}

}  // namespace lanterna::inference
