// Runs a model-loading step and turns what loading throws (bad weights, a LibTorch error, a malformed config) into
// an Error that names the file: the one place the loaders translate exceptions.
//   return guardedLoad<SvdUNet>(file, [&] { return loadSvdUNet(file, config, options); });
// Internal to inference/.
#pragma once

#include <filesystem>

#include <c10/util/Exception.h>
#include <nlohmann/json.hpp>

#include "json_file.h"
#include "lanterna/result.h"
#include "weights.h"

namespace lanterna::inference {

template <class T, class Load>
Result<T> guardedLoad(const std::filesystem::path& path, Load load) {
  try {
    return load();
  } catch (const WeightsError& e) {
    return makeError(ErrorKind::FormatIncorrect, "Cannot load " + quotedFileName(path) + ": " + e.what(), path);
  } catch (const c10::Error& e) {
    return makeError(ErrorKind::FormatIncorrect, "Cannot load " + quotedFileName(path) + ": " + e.msg(), path);
  } catch (const nlohmann::json::exception& e) {
    return makeError(ErrorKind::FormatIncorrect,
                     "Cannot load " + quotedFileName(path) + ": bad config (" + e.what() + ")", path);
  }
}

}  // namespace lanterna::inference
