// Writing a generated clip from the CLI: the container and codec follow the extension (.mp4 H.264, .webm VP9,
// .gif, .mov ProRes), the frame rate is the asked fps, the generation parameters go in the metadata.
//   Status saved = writeClip("out.mp4", output.frames, 8.0, parameters);
// Runs on the calling thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lanterna/inference/engine.h"
#include "lanterna/result.h"

namespace lanterna::cli {

Status writeClip(const std::filesystem::path& out, const std::vector<inference::Image>& frames, double fps,
                 const std::string& parameters);

}  // namespace lanterna::cli
