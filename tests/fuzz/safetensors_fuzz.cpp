// Fuzz target: SafetensorsFile::open on arbitrary bytes. Whatever the header claims, open() either refuses it with
// a message naming the file, or every tensor it accepts lies inside the file and inside its dtype's size.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "lanterna/inference/safetensors.h"

using lanterna::inference::SafetensorsFile;

namespace {

std::filesystem::path scratchFile() {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("lanterna_fuzz_" + std::to_string(getpid()) + ".safetensors");
  return path;
}

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "safetensors fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = scratchFile();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto file = SafetensorsFile::open(path);
  if (!file) {
    require(!file.error().message.empty(), "an error without a message");
    require(file.error().message.find(path.filename().string()) != std::string::npos, "an error not naming the file");
  } else {
    const std::uint64_t fileSize = file->fileSizeBytes();
    for (const auto& tensor : file->tensors()) {
      require(tensor.beginBytes <= tensor.endBytes && tensor.endBytes <= fileSize, "a tensor outside the file");
      require(static_cast<std::uint64_t>(tensor.numel()) * lanterna::inference::dtypeSizeBytes(tensor.dtype) ==
                  tensor.endBytes - tensor.beginBytes,
              "a tensor whose shape disagrees with its byte range");
      const std::byte* bytes = file->bytes(tensor);
      volatile std::byte sink{};
      if (tensor.endBytes > tensor.beginBytes) sink = bytes[tensor.endBytes - tensor.beginBytes - 1];
      (void)sink;
    }
  }
  std::filesystem::remove(path);
  return 0;
}
