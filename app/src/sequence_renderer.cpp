// Frame N of the document as layers: per video track (bottom track first) the item under N, or the two items of
// a crossfade around a cut, each with the opacity its fades and the crossfade give it.
#include "lanterna/app/sequence_renderer.h"

#include <algorithm>
#include <deque>

#include "lanterna/app/project_store.h"
#include "lanterna/timeline/clip_speed.h"
#include "lanterna/assets/frame_interpolation.h"
#include "lanterna/assets/image_io.h"
#include "lanterna/assets/video_decoder.h"

namespace lanterna::app {
namespace fs = std::filesystem;
using timeline::FrameTime;
using timeline::Item;

namespace {

// Sampled at the middle of each frame, so a fade of n frames never shows a fully black or a full frame inside it.
float ramp(std::int64_t framesIn, std::int64_t length) {
  if (length <= 0 || framesIn >= length) return 1.0f;
  return std::clamp(float(framesIn + 0.5) / float(length), 0.0f, 1.0f);
}

float fadeOpacity(const Item& item, FrameTime at) {
  if (at < item.start || at >= item.end()) return 1.0f;
  return ramp((at - item.start).frames, item.fadeIn.frames) * ramp((item.end() - at).frames - 1, item.fadeOut.frames);
}

const timeline::VideoPayload* videoOf(const Item& item) { return std::get_if<timeline::VideoPayload>(&item.payload); }

}  // namespace

Result<AssetSources> assetSources(const ProjectStore& store) {
  auto records = store.assets();
  if (!records) return records.error();
  const fs::path folder = fs::absolute(store.file()).parent_path();
  AssetSources sources;
  for (const auto& record : *records) sources[record.id] = AssetSource{record.kind, folder / record.path};
  return sources;
}

struct SequenceRenderer::Impl {
  timeline::DocumentSnapshot snapshot;
  AssetSources sources;
  RenderOptions options;
  std::vector<std::vector<const Item*>> tracks;  // video tracks, bottom first; items by start
  std::optional<assets::Compositor> compositor;
  static constexpr std::size_t kNativeCacheFrames = 4;
  std::map<AssetId, assets::VideoDecoder> decoders;        // at the project rate
  std::map<AssetId, assets::VideoDecoder> nativeDecoders;  // at each clip's own rate
  std::deque<std::pair<std::pair<AssetId, std::int64_t>, assets::Frame>> nativeCache;
  assets::FrameInterpolator interpolator;
  std::map<AssetId, assets::Frame> stills;
  std::deque<assets::Frame> shown;  // the pictures the current plan points at

  Result<const assets::Frame*> picture(const Item& item, FrameTime at) {
    const auto* video = videoOf(item);
    const auto source = sources.find(video->asset);
    if (source == sources.end())
      return makeError(ErrorKind::FileNotFound, "The project has no media for asset " +
                                                    std::to_string(video->asset) + " (item " +
                                                    std::to_string(item.id) + ").");
    if (source->second.kind == AssetKind::Image) {
      auto still = stills.find(video->asset);
      if (still == stills.end()) {
        auto loaded = assets::loadImage(source->second.file, {.bitDepth = assets::BitDepth::To8});
        if (!loaded) return loaded.error();
        still = stills.emplace(video->asset, std::move(*loaded)).first;
      }
      return &still->second;
    }
    const timeline::SourcePosition position = timeline::sourcePositionAt(*video, at - item.start);
    if (video->conform == timeline::ConformMode::Interpolate) return interpolated(video->asset, source->second, position);
    auto decoder = openDecoder(video->asset, source->second, Rate::Project);
    if (!decoder) return decoder.error();
    // Outside the item (a crossfade reaching past a cut) the source is held at its first or last frame.
    auto frame = (*decoder)->frameAt(std::clamp(position.frames, std::int64_t(0), (*decoder)->frameCount() - 1));
    if (!frame) return frame.error();
    shown.push_back(std::move(*frame));
    return &shown.back();
  }

  // Project rate: frameAt(i) is what is on screen at project frame i (repetition). Native: the clip's own frames,
  // the neighbours interpolation works between.
  enum class Rate { Project, Native };

  Result<assets::VideoDecoder*> openDecoder(AssetId asset, const AssetSource& source, Rate rate) {
    auto& table = rate == Rate::Project ? decoders : nativeDecoders;
    auto decoder = table.find(asset);
    if (decoder == table.end()) {
      const auto project = snapshot.settings.frameRate;
      assets::VideoDecoderOptions options;
      if (rate == Rate::Project) options.outputRate = {int(project.num), int(project.den)};
      auto opened = assets::VideoDecoder::open(source.file, options);
      if (!opened) return opened.error();
      decoder = table.emplace(asset, std::move(*opened)).first;
    }
    return &decoder->second;
  }

  // A native frame, from a small cache: an 8 fps clip at 24 fps asks for each neighbour pair three times.
  Result<const assets::Frame*> nativeFrame(AssetId asset, assets::VideoDecoder& decoder, std::int64_t index) {
    index = std::clamp(index, std::int64_t(0), decoder.frameCount() - 1);
    for (const auto& [key, frame] : nativeCache)
      if (key == std::pair{asset, index}) return &frame;
    auto frame = decoder.frameAt(index);
    if (!frame) return frame.error();
    if (nativeCache.size() >= kNativeCacheFrames) nativeCache.pop_front();
    nativeCache.emplace_back(std::pair{asset, index}, std::move(*frame));
    return &nativeCache.back().second;
  }

  // The source at a fractional project-rate position, restated at the clip's own rate and interpolated between
  // the two frames around it by optical flow (exactly on a frame: that frame).
  Result<const assets::Frame*> interpolated(AssetId asset, const AssetSource& source, timeline::SourcePosition at) {
    auto decoder = openDecoder(asset, source, Rate::Native);
    if (!decoder) return decoder.error();
    const auto native = (*decoder)->outputRate();
    const auto project = snapshot.settings.frameRate;
    if (!native.valid())
      return makeError(ErrorKind::FormatIncorrect, "\"" + source.file.string() + "\" has no frame rate to interpolate at.",
                       source.file);
    // position x native / project, exactly: (frames x den + num) x nativeNum x projectDen / (den x nativeDen x projectNum)
    const __int128 num = (__int128(at.frames) * at.fractionDen + at.fractionNum) * native.num * project.den;
    const __int128 den = __int128(at.fractionDen) * native.den * project.num;
    std::int64_t index = std::int64_t(num / den);
    __int128 rest = num % den;
    if (rest < 0) index -= 1, rest += den;
    auto first = nativeFrame(asset, **decoder, index);
    if (!first) return first.error();
    // Copies into `shown`: a later layer of the same plan may evict the cache entry.
    if (rest == 0 || index + 1 >= (*decoder)->frameCount() || index < 0) {
      shown.push_back(**first);
      return &shown.back();
    }
    const assets::Frame* a = *first;  // stays cached while the second loads: the cache holds more than two
    auto second = nativeFrame(asset, **decoder, index + 1);
    if (!second) return second.error();
    shown.push_back(interpolator.interpolate(*a, **second, double(rest) / double(den)));
    return &shown.back();
  }

  Status addLayer(assets::CompositionFrame& plan, const Item& item, FrameTime at, float opacity) {
    if (opacity <= 0.0f) return Ok{};
    auto source = picture(item, at);
    if (!source) return source.error();
    plan.layers.push_back(assets::Layer{*source, options.fit, std::min(opacity, 1.0f), assets::BlendMode::Over});
    return Ok{};
  }

  Status addTrack(assets::CompositionFrame& plan, const std::vector<const Item*>& items, FrameTime at) {
    for (std::size_t i = 1; i < items.size(); ++i) {
      const Item& to = *items[i];
      const Item& from = *items[i - 1];
      const std::int64_t length = to.crossfadeIn.frames;
      if (length <= 0 || from.end() != to.start) continue;
      const FrameTime first = to.start - FrameTime{length / 2};
      if (at < first || at >= first + FrameTime{length}) continue;
      // Over at full opacity, then the incoming item Over at t: (1 - t) * from + t * to, for opaque pictures.
      const float t = ramp((at - first).frames, length);
      if (auto added = addLayer(plan, from, at, fadeOpacity(from, at)); !added) return added;
      return addLayer(plan, to, at, t * fadeOpacity(to, at));
    }
    for (const Item* item : items)
      if (item->start <= at && at < item->end()) return addLayer(plan, *item, at, fadeOpacity(*item, at));
    return Ok{};
  }
};

SequenceRenderer::SequenceRenderer(timeline::DocumentSnapshot snapshot, AssetSources sources, RenderOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->snapshot = std::move(snapshot);
  impl_->sources = std::move(sources);
  impl_->options = options;
  if (impl_->options.width <= 0 || impl_->options.height <= 0) {
    impl_->options.width = impl_->snapshot.settings.width;
    impl_->options.height = impl_->snapshot.settings.height;
  }
  const auto& tracks = impl_->snapshot.tracks;
  for (auto track = tracks.rbegin(); track != tracks.rend(); ++track) {
    if (track->kind != timeline::TrackKind::Video) continue;
    std::vector<const Item*> items;
    for (const auto& item : impl_->snapshot.items)
      if (item.track == track->id && videoOf(item) && videoOf(item)->asset != 0) items.push_back(&item);
    std::sort(items.begin(), items.end(), [](const Item* a, const Item* b) { return a->start < b->start; });
    impl_->tracks.push_back(std::move(items));
  }
}

SequenceRenderer::SequenceRenderer(SequenceRenderer&&) noexcept = default;
SequenceRenderer& SequenceRenderer::operator=(SequenceRenderer&&) noexcept = default;
SequenceRenderer::~SequenceRenderer() = default;

Result<assets::CompositionFrame> SequenceRenderer::planFrame(FrameTime frame) {
  impl_->shown.clear();
  assets::CompositionFrame plan;
  plan.width = impl_->options.width;
  plan.height = impl_->options.height;
  for (const auto& items : impl_->tracks)
    if (auto added = impl_->addTrack(plan, items, frame); !added) return added.error();
  return plan;
}

Result<assets::Frame> SequenceRenderer::renderFrame(FrameTime frame) {
  auto plan = planFrame(frame);
  if (!plan) return plan.error();
  if (!impl_->compositor) impl_->compositor = assets::Compositor::create(impl_->options.backend);
  auto composed = impl_->compositor->compose(*plan);
  if (!composed) return composed.error();
  if (composed->format != assets::PixelFormat::Rgba8) return assets::convertFrame(*composed, assets::PixelFormat::Rgba8);
  return composed;
}

bool SequenceRenderer::showsAnythingAt(FrameTime frame) const {
  // A crossfade lies inside the two items it joins, so covering items are enough.
  for (const auto& items : impl_->tracks)
    for (const Item* item : items)
      if (item->start <= frame && frame < item->end()) return true;
  return false;
}

const timeline::DocumentSnapshot& SequenceRenderer::snapshot() const { return impl_->snapshot; }

FrameTime SequenceRenderer::duration() const {
  FrameTime end;
  for (const auto& item : impl_->snapshot.items)
    if (std::holds_alternative<timeline::VideoPayload>(item.payload) ||
        std::holds_alternative<timeline::AudioPayload>(item.payload))
      end = std::max(end, item.end());
  return end;
}

int SequenceRenderer::width() const { return impl_->options.width; }
int SequenceRenderer::height() const { return impl_->options.height; }
bool SequenceRenderer::usesVulkan() const { return impl_->compositor && impl_->compositor->usesVulkan(); }

}  // namespace lanterna::app
