#include "lanterna/app/generation_service.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QColor>
#include <QFutureWatcher>
#include <QRandomGenerator>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

#include <variant>

#include "lanterna/app/generation_parameters.h"
#include "lanterna/app/image_convert.h"
#include "lanterna/app/project_store.h"

namespace lanterna::app {

using timeline::Item;
using timeline::ItemId;
using timeline::TrackId;
using timeline::TrackKind;

inference::GenerationRequest requestFor(const timeline::GenerationSettings& settings) {
  inference::GenerationRequest request;
  request.prompt = settings.prompt;
  request.negativePrompt = settings.negativePrompt;
  request.sampler = settings.sampler;
  request.steps = settings.steps;
  request.cfgScale = settings.cfg;
  request.seed = static_cast<std::uint64_t>(settings.seed);
  request.width = settings.width;
  request.height = settings.height;
  request.frames = settings.frames;
  request.fps = settings.fps.toDouble();
  request.strength = settings.strength;
  request.motionAmount = settings.motionAmount;
  return request;
}

int frameIndexAt(double seconds, double fps, int count) {
  if (count <= 0 || fps <= 0) return 0;
  return static_cast<int>(std::clamp<double>(std::floor(seconds * fps + 1e-6), 0.0, count - 1.0));
}

namespace {
std::int64_t nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
}  // namespace

GenerationService::GenerationService(GenerationQueue& queue, QObject* parent) : QObject(parent), queue_(queue) {
  connect(&queue_, &GenerationQueue::jobStarted, this, &GenerationService::onStarted);
  connect(&queue_, &GenerationQueue::jobProgress, this, &GenerationService::onProgress);
  connect(&queue_, &GenerationQueue::previewAvailable, this, &GenerationService::onPreview);
  connect(&queue_, &GenerationQueue::jobFinished, this, &GenerationService::onFinished);
  storePool_.setMaxThreadCount(1);
}

GenerationService::~GenerationService() { storePool_.waitForDone(); }

void GenerationService::setProject(timeline::Document* document, ProjectStore* store) {
  // Jobs of the previous project keep running but no longer touch a document or store.
  if (document != document_.data() || store != store_) {
    running_.clear();
    saving_.clear();
    ++project_;
  }
  if (store != store_) {
    images_.clear();
    clips_.clear();
    workerStore_.reset();
    // The worker's own connection, opened now while none of this project's generations is queued (opening marks
    // queued and running ones of a crashed session as interrupted).
    if (store && !store->readOnly()) {
      if (auto opened = ProjectStore::open(store->file()))
        workerStore_ = std::make_shared<ProjectStore>(std::move(*opened));
    }
  }
  document_ = document;
  store_ = store;
}

void GenerationService::setModelLibrary(ModelLibrary library) { library_ = std::move(library); }

TrackId GenerationService::videoTrackBelow(TrackId promptTrack) {
  const auto& tracks = document_->tracks();
  bool below = false;
  for (const timeline::Track& track : tracks) {
    if (track.id == promptTrack) below = true;
    else if (below && track.kind == TrackKind::Video) return track.id;
  }
  return 0;
}

ItemId GenerationService::clipUnder(ItemId promptItem) const {
  if (!document_) return 0;
  const Item* prompt = document_->item(promptItem);
  if (!prompt) return 0;
  bool below = false;
  for (const timeline::Track& track : document_->tracks()) {
    if (track.id == prompt->track) below = true;
    else if (below && track.kind == TrackKind::Video) {
      for (const Item* item : document_->itemsOnTrack(track.id))
        if (item->start == prompt->start) return item->id;
      return 0;
    }
  }
  return 0;
}

Result<qint64> GenerationService::generate(ItemId promptItem, const GenerateOptions& options) {
  if (!document_) return makeError(ErrorKind::InvalidArgument, "No project is open.");
  if (!store_ || store_->readOnly())
    return makeError(ErrorKind::NoWriteAccess, "The project must be saved (and writable) to keep generations.");
  const Item* prompt = document_->item(promptItem);
  const auto* payload = prompt ? std::get_if<timeline::PromptPayload>(&prompt->payload) : nullptr;
  if (!payload) return makeError(ErrorKind::InvalidArgument, "Select a prompt item to generate.");
  timeline::GenerationSettings settings = payload->settings;
  if (!library_) library_ = ModelLibrary::fromSettings();
  auto modelPath = library_->resolve(QString::fromStdString(settings.model));
  if (!modelPath) return modelPath.error();
  std::optional<std::filesystem::path> photo;
  if (!settings.referenceImages.empty()) {
    auto asset = store_->asset(settings.referenceImages.front());
    if (!asset) return asset.error();
    photo = store_->file().parent_path() / asset->path;
  }

  ItemId clip = clipUnder(promptItem);
  if (clip != 0 && running_.contains(clip))
    return makeError(ErrorKind::InvalidArgument, "This clip is already generating: cancel it first.");
  AssetId placeholder = 0;
  if (clip == 0) {
    auto asset = placeholderAsset(settings.width, settings.height);
    if (!asset) return asset.error();
    placeholder = *asset;
  }
  {
    // One undo step: the rolled seed and the new clip.
    timeline::EditMacro macro(*document_, QObject::tr("Generate"));
    if (!settings.seedLocked) {
      settings.seed = QRandomGenerator::global()->bounded(quint32(0x7fffffff));
      if (auto changed = document_->requestChangeGenerationSettings(promptItem, settings); !changed)
        return makeError(ErrorKind::InvalidArgument, changed.reason);
    }
    prompt = document_->item(promptItem);
    if (clip == 0) {
      TrackId track = videoTrackBelow(prompt->track);
      if (track == 0) {
        int index = 0;
        for (const auto& t : document_->tracks()) {
          ++index;
          if (t.id == prompt->track) break;
        }
        auto added = document_->requestAddTrack(TrackKind::Video, "Video", index);
        if (!added) return makeError(ErrorKind::InvalidArgument, added.reason);
        track = added.createdId;
      }
      auto inserted = document_->requestInsertItem(track, prompt->start, prompt->duration,
                                                   timeline::VideoPayload{.asset = placeholder});
      if (!inserted) return makeError(ErrorKind::InvalidArgument, "No room for the clip: " + inserted.reason);
      clip = inserted.createdId;
    }
  }

  // A regenerated clip's new take varies the active one: that is its lineage.
  GenerationRecord record;
  record.request = settings;
  if (const auto* video = std::get_if<timeline::VideoPayload>(&document_->item(clip)->payload);
      video && video->activeTake >= 0) {
    const GenerationId parent = video->takes[video->activeTake].generation;
    if (parent > 0 && store_->generation(parent)) record.parent = parent;  // takes may come from elsewhere
  }
  auto generation = store_->addGeneration(record);
  if (!generation) return generation.error();

  GenerationJobSpec spec;
  spec.title = QString::fromStdString(settings.prompt).simplified().left(60);
  if (spec.title.isEmpty()) spec.title = QObject::tr("Clip %1").arg(clip);
  spec.modelPath = *modelPath;
  spec.request = requestFor(settings);
  spec.generationId = *generation;
  ClipGeneration state;
  state.generation = *generation;
  state.prompt = promptItem;
  state.totalSteps = settings.steps;
  state.fps = settings.fps.toDouble();
  if (photo) {
    // Decoding, colour management and restoration of the photo take a while: a worker prepares it, and the job
    // is queued when it is ready. The clip is "running" (job 0) meanwhile, so it can be cancelled.
    running_.insert(clip, state);
    preparePhotoThenEnqueue(clip, std::move(spec), *photo, settings.width, settings.height, options.restorePhoto);
    emit clipPreviewChanged(clip);
    emit historyChanged();
    return qint64(0);
  }
  // Recorded before enqueue: the worker may report progress before enqueue() returns.
  state.job = queue_.enqueue(std::move(spec));
  running_.insert(clip, state);
  emit clipPreviewChanged(clip);
  emit historyChanged();
  return state.job;
}

void GenerationService::preparePhotoThenEnqueue(ItemId clip, GenerationJobSpec spec, const std::filesystem::path& photo,
                                                int width, int height, bool restore) {
  auto* watcher = new QFutureWatcher<Result<inference::Image>>(this);
  const GenerationId generation = spec.generationId;
  connect(watcher, &QFutureWatcher<Result<inference::Image>>::finished, this,
          [this, watcher, clip, generation, spec = std::move(spec), project = project_]() mutable {
            watcher->deleteLater();
            auto it = running_.find(clip);
            // Cancelled meanwhile, or another project: nothing to queue.
            if (project != project_ || it == running_.end() || it->generation != generation) return;
            const Result<inference::Image> image = watcher->result();
            if (!image) {
              running_.erase(it);
              const QString message = QString::fromStdString(image.error().message);
              if (store_) (void)store_->setGenerationStatus(generation, GenerationStatus::Failed, image.error().message);
              emit clipPreviewChanged(clip);
              emit clipFinished(clip, JobState::Failed, message);
              emit historyChanged();
              return;
            }
            spec.request.initImage = *image;
            it->job = queue_.enqueue(std::move(spec));
            emit clipPreviewChanged(clip);
          });
  watcher->setFuture(QtConcurrent::run([photo, width, height, restore] { return preparedPhoto(photo, width, height, restore); }));
}

bool GenerationService::cancel(ItemId clip) {
  auto it = running_.find(clip);
  if (it == running_.end()) return false;
  if (it->job != 0) return queue_.cancel(it->job);
  // Still preparing its photo: never queued, so it ends here.
  const GenerationId generation = it->generation;
  running_.erase(it);
  if (store_) (void)store_->setGenerationStatus(generation, GenerationStatus::Cancelled);
  emit clipPreviewChanged(clip);
  emit clipFinished(clip, JobState::Cancelled, {});
  emit historyChanged();
  return true;
}

std::optional<ClipGeneration> GenerationService::running(ItemId clip) const {
  auto it = running_.find(clip);
  if (it == running_.end()) return std::nullopt;
  return *it;
}

ItemId GenerationService::clipForJob(qint64 job) const {
  for (auto it = running_.begin(); it != running_.end(); ++it)
    if (it->job == job) return it.key();
  return 0;
}

void GenerationService::onStarted(qint64 job) {
  const ItemId clip = clipForJob(job);
  if (clip == 0 || !store_) return;
  (void)store_->setGenerationStatus(running_[clip].generation, GenerationStatus::Running);
  emit historyChanged();
}

void GenerationService::onProgress(qint64 job, int step, int totalSteps) {
  const ItemId clip = clipForJob(job);
  if (clip == 0) return;
  running_[clip].step = step;
  running_[clip].totalSteps = totalSteps;
}

void GenerationService::onPreview(qint64 job) {
  const ItemId clip = clipForJob(job);
  if (clip == 0) return;
  ClipGeneration& state = running_[clip];
  state.preview = queue_.latestPreview(job);
  state.previewFrames = queue_.latestPreviewFrames(job);
  const GenerationJobStatus status = queue_.status(job);
  state.step = status.step;
  state.totalSteps = status.totalSteps;
  emit clipPreviewChanged(clip);
}

void GenerationService::onFinished(qint64 job, JobState state) {
  const ItemId clip = clipForJob(job);
  if (clip == 0) return;
  const ClipGeneration generation = running_.take(clip);
  const GenerationJobStatus status = queue_.status(job);
  if (store_ && state == JobState::Succeeded && workerStore_) {
    // Writing the files and importing them is slow disk work: the worker does it, the take lands here later.
    std::vector<QImage> frames = queue_.results(job);
    const QString modelName = QFileInfo(status.spec.modelPath).completeBaseName();
    const QString parameters = formatParameters(status.spec.request, modelName, {});
    const double fps = status.spec.request.fps;
    saving_.insert(clip);
    auto* watcher = new QFutureWatcher<Result<TakeMedia>>(this);
    connect(watcher, &QFutureWatcher<Result<TakeMedia>>::finished, this,
            [this, watcher, clip, generation, frames, project = project_] {
              watcher->deleteLater();
              landTake(clip, generation, watcher->result(), frames, project);
            });
    watcher->setFuture(QtConcurrent::run(&storePool_, [store = workerStore_, frames, fps, parameters,
                                                       id = generation.generation]() -> Result<TakeMedia> {
      auto media = storeTakeMedia(*store, frames, fps, parameters);
      if (!media) {
        (void)store->setGenerationStatus(id, GenerationStatus::Failed, media.error().message);
        return media;
      }
      std::vector<AssetId> outputs{media->asset};
      if (media->still != media->asset) outputs.push_back(media->still);
      (void)store->setGenerationOutputs(id, outputs);
      (void)store->setGenerationStatus(id, GenerationStatus::Done);
      return media;
    }));
    emit clipPreviewChanged(clip);
    return;
  }
  QString message = status.errorMessage;
  if (store_) {
    if (state == JobState::Succeeded) {  // a read-only project: nowhere to keep the result
      state = JobState::Failed;
      message = tr("The project cannot be written, so the result was not kept.");
      (void)store_->setGenerationStatus(generation.generation, GenerationStatus::Failed, message.toStdString());
    } else if (state == JobState::Cancelled) {
      (void)store_->setGenerationStatus(generation.generation, GenerationStatus::Cancelled);
    } else {
      (void)store_->setGenerationStatus(generation.generation, GenerationStatus::Failed,
                                        status.errorMessage.toStdString());
    }
  }
  emit clipPreviewChanged(clip);
  emit clipFinished(clip, state, message);
  emit historyChanged();
}

// Back on the UI thread: the take goes through the undo stack, and the frames in memory become the asset's cache
// (no decoding what was just encoded).
void GenerationService::landTake(ItemId clip, const ClipGeneration& generation, const Result<TakeMedia>& media,
                                 const std::vector<QImage>& frames, quint64 project) {
  if (project != project_) return;  // the project changed meanwhile; the files and history row are kept
  saving_.remove(clip);
  JobState state = JobState::Succeeded;
  QString message;
  if (media) {
    images_.insert(media->still, frames.front());
    if (media->asset != media->still) clips_.insert(media->asset, ClipFrames{frames, media->fps});
    if (document_ && document_->item(clip)) {
      const auto rate = document_->settings().frameRate;
      const timeline::FrameTime length = rate.valid() && media->frames > 1
                                             ? timeline::FrameTime{qint64(std::llround(media->frames / media->fps *
                                                                                       rate.toDouble()))}
                                             : timeline::FrameTime{0};
      (void)document_->requestAddTake(clip, timeline::Take{generation.generation, media->asset, length});
    }
  } else {
    state = JobState::Failed;
    message = QString::fromStdString(media.error().message);
  }
  emit clipPreviewChanged(clip);
  emit clipFinished(clip, state, message);
  emit historyChanged();
}

// A clip needs media from the start: until its first take arrives it shows a dark frame of the requested size
// (content-addressed, so every placeholder of one size is stored once).
Result<AssetId> GenerationService::placeholderAsset(int width, int height) {
  QImage frame(std::max(8, width), std::max(8, height), QImage::Format_RGB888);
  frame.fill(QColor(24, 24, 28));
  const QString temp = QDir(QString::fromStdString(store_->mediaDir().string()))
                           .filePath(QStringLiteral(".placeholder-%1.png").arg(nowMs()));
  QDir().mkpath(QFileInfo(temp).absolutePath());
  if (auto saved = savePng(frame, temp); !saved) return saved.error();
  auto asset = store_->importMedia(temp.toStdString(), AssetKind::Image,
                                   QStringLiteral(R"({"placeholder": true})").toStdString());
  QFile::remove(temp);
  if (!asset) return asset.error();
  return asset->id;
}

}  // namespace lanterna::app
