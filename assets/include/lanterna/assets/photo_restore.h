// Restoration for old photos before they are animated: denoise, dust and scratch removal by inpainting, contrast
// for faded prints, and a mild white balance. Usage:
//   Frame restored = restorePhoto(convertFrame(scan, PixelFormat::Rgba8));
//   Frame gentle   = restorePhoto(scan8, {.denoiseStrength = 0.5f, .balanceWhite = false});
// Each pass measures the picture first and does nothing where it sees nothing to fix, so a clean, well exposed
// photo comes back nearly unchanged. A pure function: safe to call from any thread.
#pragma once

#include "lanterna/assets/frame.h"

namespace lanterna::assets {

struct PhotoRestoreOptions {
  bool denoise = true;
  // Multiplies the filter strength estimated from the picture's own noise (0 turns denoising off).
  float denoiseStrength = 1.0f;
  bool removeDustAndScratches = true;
  bool enhanceContrast = true;  // CLAHE on the lightness of Lab, only as much as the print is faded
  bool balanceWhite = true;     // removes part of an overall colour cast (yellowed or magenta prints)
};

// `rgba8` should be Rgba8 (other formats are converted first). Returns Rgba8 of the same size; alpha is kept.
Frame restorePhoto(const Frame& rgba8, const PhotoRestoreOptions& options = {});

}  // namespace lanterna::assets
