// File helpers shared by the importers and writers: read with clear error kinds, temp-then-rename writes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lanterna/result.h"

namespace lanterna::assets {

// "name.png" in quotes, as every message shows it.
std::string quoted(const std::filesystem::path& path);

// FileNotFound / NoReadAccess / FormatIncorrect (a folder) with the file named; Ok when it can be opened.
Status checkReadable(const std::filesystem::path& path);

Result<std::vector<std::uint8_t>> readWholeFile(const std::filesystem::path& path);

// "<dir>/.<name>.lanterna-partial<ext>": same folder so the final rename stays on one file system.
std::filesystem::path temporarySibling(const std::filesystem::path& target);

// Moves `temporary` onto `target` (replacing it); removes `temporary` on failure.
Status commitTemporary(const std::filesystem::path& temporary, const std::filesystem::path& target);

Status writeWholeFile(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);

}  // namespace lanterna::assets
