#include "lanterna/app/generation_service.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QColor>
#include <QRandomGenerator>

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

namespace {
std::int64_t nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
}  // namespace

GenerationService::GenerationService(GenerationQueue& queue, QObject* parent) : QObject(parent), queue_(queue) {
  connect(&queue_, &GenerationQueue::jobStarted, this, &GenerationService::onStarted);
  connect(&queue_, &GenerationQueue::jobProgress, this, &GenerationService::onProgress);
  connect(&queue_, &GenerationQueue::previewAvailable, this, &GenerationService::onPreview);
  connect(&queue_, &GenerationQueue::jobFinished, this, &GenerationService::onFinished);
}

void GenerationService::setProject(timeline::Document* document, ProjectStore* store) {
  // Jobs of the previous project keep running but no longer touch a document or store.
  if (document != document_.data() || store != store_) running_.clear();
  document_ = document;
  store_ = store;
  images_.clear();
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

Result<qint64> GenerationService::generate(ItemId promptItem) {
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
  // Recorded before enqueue: the worker may report progress before enqueue() returns.
  state.job = queue_.enqueue(std::move(spec));
  running_.insert(clip, state);
  emit clipPreviewChanged(clip);
  emit historyChanged();
  return state.job;
}

bool GenerationService::cancel(ItemId clip) {
  auto it = running_.find(clip);
  return it != running_.end() && queue_.cancel(it->job);
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
  QString message = status.errorMessage;
  if (store_) {
    if (state == JobState::Succeeded) {
      auto asset = storeResult(job, generation);
      if (asset) {
        (void)store_->setGenerationOutputs(generation.generation, {*asset});
        (void)store_->setGenerationStatus(generation.generation, GenerationStatus::Done);
        if (document_ && document_->item(clip))
          (void)document_->requestAddTake(clip, timeline::Take{generation.generation, *asset, {}});
      } else {
        state = JobState::Failed;
        message = QString::fromStdString(asset.error().message);
        (void)store_->setGenerationStatus(generation.generation, GenerationStatus::Failed, asset.error().message);
      }
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

// The PNG carries the A1111 parameters, so the file alone says how to make it again.
Result<AssetId> GenerationService::storeResult(qint64 job, const ClipGeneration& generation) {
  const std::vector<QImage> frames = queue_.results(job);
  if (frames.empty()) return makeError(ErrorKind::Internal, "The generation finished without an image.");
  const GenerationJobStatus status = queue_.status(job);
  const QString modelName = QFileInfo(status.spec.modelPath).completeBaseName();
  const QString parameters = formatParameters(status.spec.request, modelName, {});
  const QString temp = QDir(QString::fromStdString(store_->mediaDir().string()))
                           .filePath(QStringLiteral(".generation-%1-%2.png").arg(generation.generation).arg(nowMs()));
  QDir().mkpath(QFileInfo(temp).absolutePath());
  if (auto saved = savePng(frames.front(), temp, parameters); !saved) return saved.error();
  auto asset = store_->importMedia(temp.toStdString(), AssetKind::Image,
                                   QStringLiteral(R"({"width": %1, "height": %2})")
                                       .arg(frames.front().width())
                                       .arg(frames.front().height())
                                       .toStdString());
  QFile::remove(temp);
  if (!asset) return asset.error();
  images_.insert(asset->id, frames.front());
  return asset->id;
}

QImage GenerationService::assetImage(AssetId asset) const {
  if (asset == 0 || !store_) return {};
  if (auto it = images_.find(asset); it != images_.end()) return *it;
  auto record = store_->asset(asset);
  if (!record || record->kind != AssetKind::Image) return {};
  const auto path = store_->file().parent_path() / record->path;
  QImage image(QString::fromStdString(path.string()));
  images_.insert(asset, image);
  return image;
}

}  // namespace lanterna::app
