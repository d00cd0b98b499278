// The whole document as plain values: what the store saves, what workers read, what tests compare. Usage:
//   DocumentSnapshot saved = document.snapshot();
//   auto copy = Document::fromSnapshot(saved);           // Result<std::unique_ptr<Document>>
//   EXPECT_EQ(copy.value()->snapshot(), saved);
// Plain value types: copy them freely across threads.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "lanterna/timeline/frame_time.h"

namespace lanterna::timeline {

using TrackId = std::int64_t;
using ItemId = std::int64_t;
using AssetId = std::int64_t;       // assigned by the project store; 0 = none
using GenerationId = std::int64_t;  // assigned by the project store; 0 = not generated

struct ProjectSettings {
  std::string name = "Untitled";
  FrameRate frameRate{24, 1};
  int width = 1280;
  int height = 720;
  bool operator==(const ProjectSettings&) const = default;
};

// What a prompt item asks the engine for. Sizes and counts are in pixels and frames.
struct GenerationSettings {
  std::string prompt;
  std::string negativePrompt;
  std::string model;  // model file name in the model library
  std::string sampler = "euler";
  int steps = 20;
  double cfg = 7.0;
  std::int64_t seed = 0;
  bool seedLocked = false;
  int width = 512;
  int height = 512;
  int frames = 16;
  FrameRate fps{8, 1};
  double strength = 1.0;      // 1 = ignore the reference images' pixels
  double motionAmount = 0.5;  // 0 = still, 1 = most motion
  std::vector<AssetId> referenceImages;
  bool operator==(const GenerationSettings&) const = default;
};

struct Take {
  GenerationId generation = 0;
  AssetId asset = 0;
  FrameTime sourceDuration;  // length of the media at the project rate; 0 = unknown
  bool operator==(const Take&) const = default;
};

struct PromptPayload {
  GenerationSettings settings;
  bool operator==(const PromptPayload&) const = default;
};

struct ReferenceImagePayload {
  AssetId asset = 0;
  bool operator==(const ReferenceImagePayload&) const = default;
};

// How a clip whose own frame rate is below the project's fills the frames in between (an 8 fps generation in a
// 24 fps project): by showing each source frame again, or by optical-flow interpolation between neighbours.
enum class ConformMode { Repeat, Interpolate };

// `asset` is the media shown; with takes it is always the active take's asset.
// Speed retimes the clip: item frame k shows the source at (inPoint + k) x speed project-rate frames, so inPoint
// counts frames of the retimed clip and trims and splits stay whole frames at any speed (see clip_speed.h).
struct VideoPayload {
  AssetId asset = 0;
  FrameTime inPoint;         // first frame shown, in frames of the retimed clip
  FrameTime sourceDuration;  // 0 = unknown (no trim limit on the right); at the project rate, not retimed
  std::vector<Take> takes;
  int activeTake = -1;       // index into takes; -1 only while there are none
  Rational speed{1, 1};      // source seconds per timeline second: 1/2 plays at half speed
  ConformMode conform = ConformMode::Repeat;
  bool operator==(const VideoPayload&) const = default;
};

struct AudioPayload {
  AssetId asset = 0;
  FrameTime inPoint;
  FrameTime sourceDuration;  // 0 = unknown
  bool operator==(const AudioPayload&) const = default;
};

// The payload's alternative matches the track kind: index i belongs on TrackKind(i).
using ItemPayload = std::variant<PromptPayload, ReferenceImagePayload, VideoPayload, AudioPayload>;

enum class TrackKind { Prompt, ReferenceImage, Video, Audio };
const char* trackKindName(TrackKind kind);
TrackKind payloadKind(const ItemPayload& payload);

struct Track {
  TrackId id = 0;
  TrackKind kind = TrackKind::Video;
  std::string name;
  bool operator==(const Track&) const = default;
};

struct Item {
  ItemId id = 0;
  TrackId track = 0;
  FrameTime start;
  FrameTime duration;
  FrameTime fadeIn;
  FrameTime fadeOut;
  // Crossfade from the item that ends exactly where this one starts on the same track.
  FrameTime crossfadeIn;
  ItemPayload payload;

  FrameTime end() const { return start + duration; }
  bool operator==(const Item&) const = default;
};

struct DocumentSnapshot {
  ProjectSettings settings;
  std::vector<Track> tracks;  // in display order
  std::vector<Item> items;    // sorted by id
  std::int64_t nextId = 1;    // ids are never reused, so undo/redo and reloads give the same ids
  bool operator==(const DocumentSnapshot&) const = default;
};

// The first broken rule ("item 7 overlaps item 3 on track 2"), or empty when the snapshot is consistent.
std::string consistencyProblem(const DocumentSnapshot& snapshot);

}  // namespace lanterna::timeline
