// Brings image, video and audio files into a project: checks each file, copies it into media/ by content hash and
// appends an item at the end of a track, all files of one call as one undo step. Usage:
//   Result<MediaCheck> checked = checkMedia("clip.mp4", FrameRate{24, 1});     // reads only, changes nothing
//   auto imported = importMediaFiles(store, document, {"a.png", "b.mp4"});      // Result<std::vector<ImportedMedia>>
//   if (!imported) show(imported.error().message);   // one refused file refuses all: project and media/ unchanged
// Runs on the thread that owns the Document (the UI thread, or the CLI's only thread).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lanterna/app/generation_record.h"
#include "lanterna/result.h"
#include "lanterna/timeline/document_snapshot.h"

namespace lanterna::timeline {
class Document;
}

namespace lanterna::app {

class ProjectStore;

// Stills get this length on the timeline; trimming changes it later.
constexpr int kStillDurationSeconds = 5;

struct MediaCheck {
  AssetKind kind = AssetKind::Unset;
  std::string codec;                // "png", "h264", "aac", …
  int width = 0;                    // pictures only, as displayed (rotation applied)
  int height = 0;
  double durationSeconds = 0;       // 0 for stills
  timeline::FrameTime durationFrames;  // at the project rate; stills get kStillDurationSeconds
  bool hasAudio = false;
  std::string infoJson;             // what the store keeps beside the asset
};

// Refuses what the project could not play back, with the file named: FileNotFound, NoReadAccess, Truncated
// (empty, or the data ends early), FormatIncorrect (not media, absurd dimensions), FeatureUnsupported (no decoder).
Result<MediaCheck> checkMedia(const std::filesystem::path& file, timeline::FrameRate projectRate);

struct ImportTarget {
  // 0: images and video go to the first video track, audio to the first audio track; each made when missing.
  timeline::TrackId track = 0;
};

struct ImportedMedia {
  AssetRecord asset;
  timeline::TrackId track = 0;
  timeline::ItemId item = 0;
};

// Checks every file before anything is written. Does not save the document: the caller does (store.save).
Result<std::vector<ImportedMedia>> importMediaFiles(ProjectStore& store, timeline::Document& document,
                                                    const std::vector<std::filesystem::path>& files,
                                                    const ImportTarget& target = {});

}  // namespace lanterna::app
