// Import checks every file with the assets layer before the store or the document is touched, so a refusal
// leaves both exactly as they were.
#include "lanterna/app/media_import.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "lanterna/app/project_store.h"
#include "lanterna/assets/image_io.h"
#include "lanterna/assets/media_probe.h"
#include "lanterna/assets/video_decoder.h"
#include "lanterna/timeline/document.h"

#include <nlohmann/json.hpp>

namespace lanterna::app {
namespace fs = std::filesystem;
using timeline::FrameTime;
using timeline::TrackKind;

namespace {

bool isStillImage(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".webp" || ext == ".tif" || ext == ".tiff";
}

std::string quoted(const fs::path& file) { return "\"" + file.string() + "\""; }

FrameTime framesFor(double seconds, timeline::FrameRate rate) {
  // Microsecond precision is finer than any frame; rounding up keeps the last partial frame.
  const auto micros = static_cast<std::int64_t>(seconds * 1e6 + 0.5);
  return rate.fromSeconds(timeline::Rational::reduced(micros, 1000000), timeline::Rounding::Up);
}

Result<MediaCheck> checkImage(const fs::path& file, timeline::FrameRate rate) {
  auto image = assets::loadImage(file);
  if (!image) return image.error();
  MediaCheck check;
  check.kind = AssetKind::Image;
  check.codec = file.extension().string().substr(1);
  check.width = image->width;
  check.height = image->height;
  check.durationFrames = framesFor(kStillDurationSeconds, rate);
  return check;
}

Result<MediaCheck> checkVideoOrAudio(const fs::path& file, timeline::FrameRate rate) {
  auto info = assets::probeMedia(file, assets::FrameCounting::CountPackets);
  if (!info) return info.error();
  MediaCheck check;
  check.durationSeconds = info->durationSeconds;
  check.hasAudio = info->audio() != nullptr;
  if (const auto* video = info->video()) {
    // Decoding the first and the last frame proves there is a decoder and that the data reaches the end.
    auto decoder = assets::VideoDecoder::open(file, {.outputRate = {int(rate.num), int(rate.den)}});
    if (!decoder) return decoder.error();
    if (decoder->frameCount() <= 0)
      return makeError(ErrorKind::Truncated, "Cannot import " + quoted(file) + ": the video has no frames.", file);
    for (std::int64_t index : {std::int64_t(0), decoder->frameCount() - 1})
      if (auto frame = decoder->frameAt(index); !frame) return frame.error();
    check.kind = AssetKind::Video;
    check.codec = video->codec;
    check.width = decoder->width();
    check.height = decoder->height();
    check.durationFrames = FrameTime{decoder->frameCount()};
  } else if (const auto* audio = info->audio()) {
    check.kind = AssetKind::Audio;
    check.codec = audio->codec;
    check.durationFrames = framesFor(info->durationSeconds, rate);
  }
  if (check.durationFrames <= FrameTime{0})
    return makeError(ErrorKind::Truncated, "Cannot import " + quoted(file) + ": it has no duration.", file);
  return check;
}

TrackKind trackKindFor(AssetKind kind) { return kind == AssetKind::Audio ? TrackKind::Audio : TrackKind::Video; }

timeline::ItemPayload payloadFor(AssetId asset, const MediaCheck& check) {
  if (check.kind == AssetKind::Audio) return timeline::AudioPayload{asset, FrameTime{0}, check.durationFrames};
  // A still has no length of its own: leave sourceDuration unknown so it can be trimmed longer.
  const FrameTime source = check.kind == AssetKind::Image ? FrameTime{0} : check.durationFrames;
  return timeline::VideoPayload{asset, FrameTime{0}, source, {}, -1};
}

FrameTime trackEnd(const timeline::Document& document, timeline::TrackId track) {
  FrameTime end;
  for (const auto* item : document.itemsOnTrack(track)) end = std::max(end, item->end());
  return end;
}

}  // namespace

Result<MediaCheck> checkMedia(const fs::path& file, timeline::FrameRate projectRate) {
  std::error_code error;
  if (!fs::exists(file, error))
    return makeError(ErrorKind::FileNotFound, "Cannot import " + quoted(file) + ": the file does not exist.", file);
  if (fs::is_directory(file, error))
    return makeError(ErrorKind::InvalidArgument, "Cannot import " + quoted(file) + ": it is a folder.", file);
  if (fs::file_size(file, error) == 0)
    return makeError(ErrorKind::Truncated, "Cannot import " + quoted(file) + ": the file is empty.", file);
  auto check = isStillImage(file) ? checkImage(file, projectRate) : checkVideoOrAudio(file, projectRate);
  if (!check) return check;
  check->infoJson = nlohmann::json{{"kind", assetKindName(check->kind)},
                                   {"codec", check->codec},
                                   {"width", check->width},
                                   {"height", check->height},
                                   {"duration_seconds", check->durationSeconds},
                                   {"has_audio", check->hasAudio},
                                   {"source_name", file.filename().string()}}
                        .dump();
  return check;
}

Result<std::vector<ImportedMedia>> importMediaFiles(ProjectStore& store, timeline::Document& document,
                                                    const std::vector<fs::path>& files, const ImportTarget& target) {
  if (store.readOnly())
    return makeError(ErrorKind::NoWriteAccess,
                     "Cannot import into \"" + store.file().string() + "\": it is open read-only.", store.file());
  const timeline::Track* chosen = target.track != 0 ? document.track(target.track) : nullptr;
  if (target.track != 0 && !chosen)
    return makeError(ErrorKind::InvalidArgument, "The project has no track " + std::to_string(target.track) + ".");

  // 1. Check everything; nothing is written until all files pass.
  std::vector<MediaCheck> checks;
  for (const auto& file : files) {
    auto check = checkMedia(file, document.settings().frameRate);
    if (!check) {
      Error error = check.error();
      error.message += " The project was not changed.";
      return error;
    }
    if (chosen && chosen->kind != trackKindFor(check->kind))
      return makeError(ErrorKind::InvalidArgument,
                       "Cannot put " + quoted(file) + " (" + assetKindName(check->kind) + ") on track " +
                           std::to_string(chosen->id) + " (" + timeline::trackKindName(chosen->kind) +
                           "). The project was not changed.",
                       file);
    checks.push_back(*check);
  }

  // 2. Copy into media/. A disk failure here leaves the document as it was.
  std::vector<AssetRecord> assets;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto asset = store.importMedia(files[i], checks[i].kind, checks[i].infoJson);
    if (!asset) return asset.error();
    assets.push_back(*asset);
  }

  // 3. Place at the ends of the tracks, as one undo step.
  std::map<TrackKind, timeline::TrackId> tracks;
  for (const auto& track : document.tracks())
    if (!tracks.count(track.kind)) tracks[track.kind] = track.id;
  std::vector<ImportedMedia> imported;
  timeline::EditMacro macro(document, QStringLiteral("Import %1 file(s)").arg(files.size()));
  for (std::size_t i = 0; i < files.size(); ++i) {
    const TrackKind kind = trackKindFor(checks[i].kind);
    timeline::TrackId track = chosen ? chosen->id : tracks[kind];
    if (track == 0) {
      track = document.requestAddTrack(kind, kind == TrackKind::Audio ? "A1" : "V1").createdId;
      tracks[kind] = track;
    }
    const auto inserted = document.requestInsertItem(track, trackEnd(document, track), checks[i].durationFrames,
                                                     payloadFor(assets[i].id, checks[i]));
    if (!inserted)
      return makeError(ErrorKind::Internal, "Cannot place " + quoted(files[i]) + ": " + inserted.reason, files[i]);
    imported.push_back(ImportedMedia{assets[i], track, inserted.createdId});
  }
  return imported;
}

}  // namespace lanterna::app
