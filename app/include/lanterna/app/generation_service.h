// Generates prompt items in place: a clip appears at once on the video track under the prompt, shows the live
// preview while the queue's worker denoises, and receives the result as a new take (an image asset in the project,
// a generation in its history). Usage:
//   GenerationService service(queue);                  // queue: a GenerationQueue on its worker thread
//   service.setProject(&document, &store);
//   auto job = service.generate(promptItemId);          // Result<qint64>; the clip exists when this returns
//   connect(&service, &GenerationService::clipPreviewChanged, ...);
// Lives on the UI thread (the Document's thread): every document edit goes through the Document's undo stack there.
// A finished job's files (PNG, clip video, import into media/, history row) are written on a private worker with
// its own connection to the project file; only the new take lands on the UI thread, through the undo stack.
#pragma once

#include <QHash>
#include <QImage>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QThreadPool>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "lanterna/app/generation_queue.h"
#include "lanterna/app/generation_record.h"
#include "lanterna/app/model_library.h"
#include "lanterna/result.h"
#include "lanterna/timeline/document.h"

namespace lanterna::app {

class ProjectStore;

struct ClipGeneration {
  qint64 job = 0;  // 0 while an image-to-video job's photo is being prepared (not queued yet)
  GenerationId generation = 0;
  timeline::ItemId prompt = 0;
  int step = 0;
  int totalSteps = 0;
  QImage preview;  // the newest denoising preview (frame 0 of a clip); null before the first step
  std::vector<QImage> previewFrames;  // every frame of that preview: one for stills
  double fps = 0.0;                   // the clip's requested rate, to find the frame under the playhead
};

// Which of `count` frames at `fps` shows `seconds` into a clip (clamped to the ends; 0 without a rate).
int frameIndexAt(double seconds, double fps, int count);

// What a finished generation left in the project.
struct TakeMedia {
  AssetId asset = 0;  // what the clip shows: the video for clips, the PNG for stills
  AssetId still = 0;  // frame 0 as a PNG with the A1111 parameters (== asset for stills)
  int frames = 1;
  double fps = 8.0;
};

// Writes frames into the store as a take's media: one frame -> a PNG; more -> an H.264 MP4 (CRF 10) of all frames
// at `fps` plus the frame-0 PNG. Imports them (content-addressed) but edits no document. Blocking: run it on a
// worker that owns `store`.
Result<TakeMedia> storeTakeMedia(ProjectStore& store, const std::vector<QImage>& frames, double fps,
                                 const QString& parameters);

struct ClipFrames {
  std::vector<QImage> frames;
  double fps = 0.0;
};
// Decodes every frame of a (short, generated) clip. Blocking.
Result<ClipFrames> readClipFrames(const std::filesystem::path& file);

// The first frame of an image-to-video job from a photo file: oriented, sRGB, cropped to fill width x height,
// restored (denoise, dust and scratches, contrast) when asked. Blocking; any thread.
Result<inference::Image> preparedPhoto(const std::filesystem::path& photo, int width, int height, bool restore);

struct GenerateOptions {
  // Image-to-video: the first reference image goes through photo restoration before it becomes the first frame.
  bool restorePhoto = false;
};

class GenerationService : public QObject {
  Q_OBJECT
 public:
  explicit GenerationService(GenerationQueue& queue, QObject* parent = nullptr);
  ~GenerationService() override;  // waits for job-end writes in flight

  // Both must outlive their use here; pass nulls to detach (e.g. before the project closes).
  void setProject(timeline::Document* document, ProjectStore* store);
  // How model names in prompt items become paths; defaults to ModelLibrary::fromSettings().
  void setModelLibrary(ModelLibrary library);

  // Queues the prompt item's settings. Rolls the seed first unless it is locked (the item keeps the rolled seed),
  // and makes the clip under the prompt if there is none: both as one undo step. With reference images, the first
  // is the init image (image-to-video: the first frame), prepared on a worker (preparedPhoto) before the job is
  // queued: then the result is 0 and running(clip)->job becomes the job's id once it is queued.
  Result<qint64> generate(timeline::ItemId promptItem, const GenerateOptions& options = {});
  bool cancel(timeline::ItemId clip);  // false when the clip is not generating

  // The video clip a prompt's results land in: on the first video track below the prompt, starting where it does.
  timeline::ItemId clipUnder(timeline::ItemId promptItem) const;
  std::optional<ClipGeneration> running(timeline::ItemId clip) const;
  // True while a finished job's files are being written (after running() ends, before the take lands).
  bool saving(timeline::ItemId clip) const { return saving_.contains(clip); }
  // The picture of an image asset, or frame 0 of a clip (cached); null when missing, or while it is read on a
  // worker (assetLoaded() follows).
  QImage assetImage(AssetId asset) const;
  // The frame of an asset shown `seconds` into it: stills always, clips by their frame rate (clamped to the ends).
  QImage assetFrame(AssetId asset, double seconds) const;
  int assetFrameCount(AssetId asset) const;  // 1 for stills, 0 while unknown
  double assetFps(AssetId asset) const;      // 0 for stills and while unknown

  GenerationQueue& queue() { return queue_; }

 signals:
  void clipPreviewChanged(qint64 clip);
  void clipFinished(qint64 clip, lanterna::app::JobState state, const QString& message);
  void historyChanged();
  void assetLoaded(qint64 asset);

 private:
  void onStarted(qint64 job);
  void onProgress(qint64 job, int step, int totalSteps);
  void onPreview(qint64 job);
  void onFinished(qint64 job, JobState state);
  Result<AssetId> placeholderAsset(int width, int height);
  void landTake(timeline::ItemId clip, const ClipGeneration& generation, const Result<TakeMedia>& media,
                const std::vector<QImage>& frames, quint64 project);
  void loadAsset(AssetId asset) const;
  void preparePhotoThenEnqueue(timeline::ItemId clip, GenerationJobSpec spec, const std::filesystem::path& photo,
                               int width, int height, bool restore);
  timeline::ItemId clipForJob(qint64 job) const;
  timeline::TrackId videoTrackBelow(timeline::TrackId promptTrack);

  GenerationQueue& queue_;
  QPointer<timeline::Document> document_;
  ProjectStore* store_ = nullptr;
  std::optional<ModelLibrary> library_;
  QHash<timeline::ItemId, ClipGeneration> running_;  // by clip
  QSet<timeline::ItemId> saving_;
  mutable QHash<AssetId, QImage> images_;
  mutable QHash<AssetId, ClipFrames> clips_;
  mutable QSet<AssetId> loading_;
  // Job-end writes: one thread, so the worker's store connection is used by one thread at a time.
  QThreadPool storePool_;
  std::shared_ptr<ProjectStore> workerStore_;
  quint64 project_ = 0;  // bumped when the project changes, so late results of the old one are dropped
};

// The engine request a prompt item's settings ask for.
inference::GenerationRequest requestFor(const timeline::GenerationSettings& settings);

}  // namespace lanterna::app
