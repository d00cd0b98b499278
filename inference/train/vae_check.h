// How faithfully a trained toy VAE carries the toy world through its latents: every shape of N training scenes is
// encoded and decoded, and its pixels' mean colour must still be nearest to its own palette colour. This is the
// ceiling of any UNet trained on the VAE: a colour the VAE loses, no prompt can bring back. Usage:
//   Result<VaeCheck> check = checkToyVae("runs/vae", 64, "runs/vae-check", log);   // also writes side-by-side PPMs
// Internal to inference/train.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "lanterna/result.h"

namespace lanterna::inference {
class AutoencoderKL;
}

namespace lanterna::toy {

struct VaeCheck {
  int scenes = 0;
  int shapes = 0;
  int coloursKept = 0;       // shapes whose decoded mean colour is nearest to their own palette colour
  double meanPsnr = 0;       // over whole images, dB
  double shapeColourError = 0;  // mean absolute RGB error (0-255) of a shape's mean colour
};

// The same on a VAE in memory (the vae stage's progress line); outDir empty writes nothing.
Result<VaeCheck> measureToyVae(const inference::AutoencoderKL& vae, int scenes, const std::filesystem::path& outDir = {});
Result<VaeCheck> checkToyVae(const std::filesystem::path& vaeRun, int scenes, const std::filesystem::path& outDir,
                             const std::function<void(const std::string&)>& log);

}  // namespace lanterna::toy
