// Where tests find the shared conformance vectors: $LANTERNA_SHARED_DIR, else the path CMake was configured with.
//   LANTERNA_REQUIRE_SHARED("conformance/manifest.json");   // GTEST_SKIP()s with the reason when absent
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace lanterna::testing {

inline std::filesystem::path sharedDir() {
  if (const char* env = std::getenv("LANTERNA_SHARED_DIR"); env && *env) return env;
#ifdef LANTERNA_SHARED_DIR_DEFAULT
  return LANTERNA_SHARED_DIR_DEFAULT;
#else
  return "../shared";
#endif
}

inline std::filesystem::path conformanceDir() { return sharedDir() / "conformance"; }

inline std::filesystem::path sourceDir() {
#ifdef LANTERNA_SOURCE_DIR
  return LANTERNA_SOURCE_DIR;
#else
  return ".";
#endif
}

}  // namespace lanterna::testing

#define LANTERNA_REQUIRE_SHARED(relative)                                                              \
  do {                                                                                                 \
    const auto lanternaSharedPath = ::lanterna::testing::sharedDir() / (relative);                     \
    if (!std::filesystem::exists(lanternaSharedPath))                                                  \
      GTEST_SKIP() << "shared test data not found at " << lanternaSharedPath.string()                  \
                   << " (set LANTERNA_SHARED_DIR or -DLANTERNA_SHARED_DIR to the shared/ folder)";     \
  } while (0)
