// Generates prompt items in place: a clip appears at once on the video track under the prompt, shows the live
// preview while the queue's worker denoises, and receives the result as a new take (an image asset in the project,
// a generation in its history). Usage:
//   GenerationService service(queue);                  // queue: a GenerationQueue on its worker thread
//   service.setProject(&document, &store);
//   auto job = service.generate(promptItemId);          // Result<qint64>; the clip exists when this returns
//   connect(&service, &GenerationService::clipPreviewChanged, ...);
// Lives on the UI thread (the Document's thread): every document edit goes through the Document's undo stack there.
#pragma once

#include <QHash>
#include <QImage>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

#include "lanterna/app/generation_queue.h"
#include "lanterna/app/generation_record.h"
#include "lanterna/app/model_library.h"
#include "lanterna/result.h"
#include "lanterna/timeline/document.h"

namespace lanterna::app {

class ProjectStore;

struct ClipGeneration {
  qint64 job = 0;
  GenerationId generation = 0;
  timeline::ItemId prompt = 0;
  int step = 0;
  int totalSteps = 0;
  QImage preview;  // the newest denoising preview; null before the first step
};

class GenerationService : public QObject {
  Q_OBJECT
 public:
  explicit GenerationService(GenerationQueue& queue, QObject* parent = nullptr);

  // Both must outlive their use here; pass nulls to detach (e.g. before the project closes).
  void setProject(timeline::Document* document, ProjectStore* store);
  // How model names in prompt items become paths; defaults to ModelLibrary::fromSettings().
  void setModelLibrary(ModelLibrary library);

  // Queues the prompt item's settings. Rolls the seed first unless it is locked (the item keeps the rolled seed),
  // and makes the clip under the prompt if there is none: both as one undo step.
  Result<qint64> generate(timeline::ItemId promptItem);
  bool cancel(timeline::ItemId clip);  // false when the clip is not generating

  // The video clip a prompt's results land in: on the first video track below the prompt, starting where it does.
  timeline::ItemId clipUnder(timeline::ItemId promptItem) const;
  std::optional<ClipGeneration> running(timeline::ItemId clip) const;
  // The picture of an image asset (cached); null when the asset is missing or not an image.
  QImage assetImage(AssetId asset) const;

  GenerationQueue& queue() { return queue_; }

 signals:
  void clipPreviewChanged(qint64 clip);
  void clipFinished(qint64 clip, lanterna::app::JobState state, const QString& message);
  void historyChanged();

 private:
  void onStarted(qint64 job);
  void onProgress(qint64 job, int step, int totalSteps);
  void onPreview(qint64 job);
  void onFinished(qint64 job, JobState state);
  Result<AssetId> placeholderAsset(int width, int height);
  Result<AssetId> storeResult(qint64 job, const ClipGeneration& clip);
  timeline::ItemId clipForJob(qint64 job) const;
  timeline::TrackId videoTrackBelow(timeline::TrackId promptTrack);

  GenerationQueue& queue_;
  QPointer<timeline::Document> document_;
  ProjectStore* store_ = nullptr;
  std::optional<ModelLibrary> library_;
  QHash<timeline::ItemId, ClipGeneration> running_;  // by clip
  mutable QHash<AssetId, QImage> images_;
};

// The engine request a prompt item's settings ask for.
inference::GenerationRequest requestFor(const timeline::GenerationSettings& settings);

}  // namespace lanterna::app
