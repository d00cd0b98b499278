// Fuzz target: ProjectStore::open on a corrupted project file, then reading everything back. A damaged file is
// refused with a message, or opens and every read returns a value or an Error — never a crash or a hang.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "lanterna/app/project_store.h"

namespace {

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "project store fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using lanterna::app::ProjectStore;
  using lanterna::app::StoreAccess;
  const auto folder =
      std::filesystem::temp_directory_path() / ("lanterna_fuzz_project_" + std::to_string(getpid()));
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  const auto file = folder / "fuzz.lanterna";
  {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  for (const StoreAccess access : {StoreAccess::ReadOnly, StoreAccess::ReadWrite}) {
    auto store = ProjectStore::open(file, access);
    if (!store) {
      require(!store.error().message.empty(), "an error without a message");
      continue;
    }
    if (auto snapshot = store->load(); !snapshot) require(!snapshot.error().message.empty(), "load: no message");
    if (auto history = store->listGenerations(); history) {
      for (const auto& record : *history) (void)store->generation(record.id);
    }
    if (auto assets = store->assets(); assets) {
      for (const auto& asset : *assets) (void)store->asset(asset.id);
    }
  }
  std::filesystem::remove_all(folder);
  return 0;
}
