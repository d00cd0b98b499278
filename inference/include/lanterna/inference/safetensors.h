// Reads a .safetensors file by memory-mapping it: the header is parsed and validated, tensor bytes are never copied.
//   auto file = SafetensorsFile::open("model.safetensors");      // Result<SafetensorsFile>
//   for (const TensorInfo& t : file->tensors()) ... file->bytes(t) ...
// A SafetensorsFile is immutable after open() and may be read from any thread; copies share one mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lanterna/result.h"

namespace lanterna::inference {

enum class DType { Unset, F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

const char* dtypeName(DType dtype);
std::size_t dtypeSizeBytes(DType dtype);

struct TensorInfo {
  std::string name;
  DType dtype = DType::Unset;
  std::vector<std::int64_t> shape;
  std::uint64_t beginBytes = 0;  // offsets relative to the data section
  std::uint64_t endBytes = 0;
  std::int64_t numel() const;
};

class SafetensorsFile {
 public:
  // Refuses pickles, truncated files, lying headers, overlapping tensors and unknown dtypes, naming the file.
  static Result<SafetensorsFile> open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::byte* bytes(const TensorInfo& tensor) const;
  std::uint64_t fileSizeBytes() const;
  // Keeps the mapping alive for as long as a borrower (e.g. a tensor viewing the bytes) needs it.
  std::shared_ptr<const void> keepAlive() const;

  struct Mapping;

 private:
  std::filesystem::path path_;
  std::shared_ptr<Mapping> mapping_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, std::size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// Writes tensors (host memory, little-endian) as a standard safetensors file, via a temporary file and a rename.
struct TensorToWrite {
  std::string name;
  DType dtype = DType::Unset;
  std::vector<std::int64_t> shape;
  const void* data = nullptr;
};
Status writeSafetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata = {});

}  // namespace lanterna::inference
