// Turns the document at one frame into a composition plan and a composited picture. Usage:
//   auto sources = assetSources(store);                          // Result<AssetSources>: id -> kind + file
//   SequenceRenderer renderer(document.snapshot(), *sources);
//   Result<assets::Frame> frame = renderer.renderFrame(FrameTime{48});   // project size, Rgba8
// What is shown: video-track items (the first track in display order is on top); a video item shows its source at
// (in-point + offset) x speed, conformed to the project rate: an 8 fps generation repeats each frame three times
// at 24 fps, or with ConformMode::Interpolate shows optical-flow in-betweens (assets/frame_interpolation.h);
// stills are held; fades ramp opacity; a crossfade of length L is centred on the cut and mixes both items.
// A renderer keeps decoders open and is used by one thread at a time; make one per worker from a snapshot copy.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include "lanterna/app/generation_record.h"
#include "lanterna/assets/compositor.h"
#include "lanterna/result.h"
#include "lanterna/timeline/document_snapshot.h"

namespace lanterna::app {

class ProjectStore;

struct AssetSource {
  AssetKind kind = AssetKind::Unset;
  std::filesystem::path file;  // absolute
};
using AssetSources = std::map<AssetId, AssetSource>;

Result<AssetSources> assetSources(const ProjectStore& store);

struct RenderOptions {
  assets::CompositorBackend backend = assets::CompositorBackend::Auto;
  assets::FitMode fit = assets::FitMode::Contain;
  int width = 0;   // 0: the project size
  int height = 0;
};

class SequenceRenderer {
 public:
  SequenceRenderer(timeline::DocumentSnapshot snapshot, AssetSources sources, RenderOptions options = {});
  SequenceRenderer(SequenceRenderer&&) noexcept;
  SequenceRenderer& operator=(SequenceRenderer&&) noexcept;
  ~SequenceRenderer();

  // The layers at `frame`; their pictures stay valid until the next planFrame()/renderFrame() call.
  Result<assets::CompositionFrame> planFrame(timeline::FrameTime frame);
  Result<assets::Frame> renderFrame(timeline::FrameTime frame);

  // Whether any video item covers `frame` (without decoding): false means renderFrame() gives only background.
  bool showsAnythingAt(timeline::FrameTime frame) const;
  const timeline::DocumentSnapshot& snapshot() const;
  timeline::FrameTime duration() const;  // end of the last video-track item
  int width() const;
  int height() const;
  bool usesVulkan() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lanterna::app
