// MainWindow's image-to-video flow: photos dropped from the desktop onto the timeline, and Animate (clip menu and
// inspector button), which generates a clip that starts from the photo on the video track under it.
#include <QAction>
#include <QMenu>

#include <algorithm>
#include <cmath>
#include <variant>

#include "lanterna/app/generation_service.h"
#include "lanterna/app/media_import.h"
#include "lanterna/app/project_store.h"
#include "lanterna/ui/inspector_widget.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/timeline_widget.h"

namespace lanterna::ui {

using timeline::FrameTime;
using timeline::Item;
using timeline::ItemId;
using timeline::TrackId;
using timeline::TrackKind;

namespace {

// The model library's bundled model, for projects without a prompt to copy settings from.
constexpr const char* kDefaultModel = "toyworld";
constexpr double kAnimateStrength = 0.6;

int trackIndex(const timeline::Document& document, TrackId track) {
  const auto& tracks = document.tracks();
  for (std::size_t i = 0; i < tracks.size(); ++i)
    if (tracks[i].id == track) return static_cast<int>(i);
  return -1;
}

// The photo an item shows: a reference image, or a still imported onto a video track (no takes yet).
timeline::AssetId photoAsset(const Item& item) {
  if (const auto* reference = std::get_if<timeline::ReferenceImagePayload>(&item.payload)) return reference->asset;
  if (const auto* video = std::get_if<timeline::VideoPayload>(&item.payload); video && video->takes.empty())
    return video->asset;
  return 0;
}

}  // namespace

void MainWindow::connectPhotos() {
  inspector_->setAnimatable([this](ItemId id) { return isAnimatable(id); });
  connect(inspector_, &InspectorWidget::animateRequested, this, &MainWindow::animate);
  connect(timeline_, &TimelineWidget::filesDropped, this, &MainWindow::importFiles);
  connect(timeline_, &TimelineWidget::itemMenuRequested, this, [this](QMenu* menu, qint64 id) {
    if (!isAnimatable(id)) return;
    QAction* action = menu->addAction(tr("Animate"), this, [this, id] { animate(id); });
    action->setObjectName("animateAction");
  });
}

bool MainWindow::isAnimatable(qint64 id) const {
  const Item* item = document_->item(id);
  const timeline::AssetId asset = item ? photoAsset(*item) : 0;
  if (asset == 0 || !store_) return false;
  auto record = store_->asset(asset);
  return record && record->kind == app::AssetKind::Image;
}

bool MainWindow::importFiles(const QStringList& paths, qint64 track, qint64 frame) {
  if (paths.isEmpty() || !ensureStore()) return false;
  const timeline::Track* target = document_->track(track);
  std::vector<ItemId> added;
  {
    timeline::EditMacro macro(*document_, tr("Import %n file(s)", nullptr, int(paths.size())));
    if (target && target->kind == TrackKind::ReferenceImage) {
      // Reference images are stills only, placed one after another from the drop point.
      FrameTime at{std::max<qint64>(0, frame)};
      for (const QString& path : paths) {
        auto check = app::checkMedia(path.toStdString(), document_->settings().frameRate);
        if (check && check->kind != app::AssetKind::Image)
          check = makeError(ErrorKind::InvalidArgument, "\"" + path.toStdString() + "\" is not a photo: only "
                                                        "images go on a reference track.");
        auto asset = check ? store_->importMedia(path.toStdString(), app::AssetKind::Image, check->infoJson)
                           : Result<app::AssetRecord>(check.error());
        if (!asset) {
          showStatus(tr("Cannot import: %1").arg(QString::fromStdString(asset.error().message)));
          continue;
        }
        const auto inserted = document_->requestInsertItem(track, at, check->durationFrames,
                                                           timeline::ReferenceImagePayload{asset->id});
        if (!inserted) {
          showStatus(tr("No room for the photo: %1").arg(QString::fromStdString(inserted.reason)));
          continue;
        }
        added.push_back(inserted.createdId);
        at = at + check->durationFrames;
      }
    } else {
      app::ImportTarget where;
      if (target && target->kind != TrackKind::Prompt) where.track = track;
      std::vector<std::filesystem::path> files;
      for (const QString& path : paths) files.emplace_back(path.toStdString());
      auto imported = app::importMediaFiles(*store_, *document_, files, where);
      if (!imported) {
        showStatus(tr("Cannot import: %1").arg(QString::fromStdString(imported.error().message)));
        return false;
      }
      // The import appends at the end of the track; the drop point is where the user wanted it, room allowing.
      FrameTime at{std::max<qint64>(0, frame)};
      for (const app::ImportedMedia& media : *imported) {
        const Item* item = document_->item(media.item);
        if (item && document_->requestMove(media.item, media.track, at)) at = at + item->duration;
        added.push_back(media.item);
      }
    }
  }
  if (added.empty()) return false;
  timeline_->setSelectedItem(added.front());
  showStatus(tr("Imported %n file(s)", nullptr, int(added.size())));
  return true;
}

// The prompt item an earlier Animate made for this photo: same start, the photo as its first reference image.
ItemId MainWindow::linkedPrompt(const Item& photo, timeline::AssetId asset) const {
  for (const Item& item : document_->snapshot().items)
    if (const auto* prompt = std::get_if<timeline::PromptPayload>(&item.payload);
        prompt && item.start == photo.start && !prompt->settings.referenceImages.empty() &&
        prompt->settings.referenceImages.front() == asset)
      return item.id;
  return 0;
}

void MainWindow::animate(qint64 id) {
  if (!generation_) return showStatus(tr("Generation is not available in this build"));
  if (!isAnimatable(id)) return showStatus(tr("Select a photo to animate"));
  const Item photo = *document_->item(id);
  const timeline::AssetId asset = photoAsset(photo);

  // The job's settings: the inspector's frames, fps and motion on top of the nearest prompt's model and size.
  timeline::GenerationSettings settings;
  settings.model = kDefaultModel;
  for (const Item& item : document_->snapshot().items)
    if (const auto* prompt = std::get_if<timeline::PromptPayload>(&item.payload)) {
      settings = prompt->settings;
      break;
    }
  // A new job describes nothing yet (the user may type a prompt later) and keeps much of the photo: the
  // photo is the first frame, and for image models the init image at this strength.
  settings.prompt.clear();
  settings.strength = kAnimateStrength;
  const ItemId existing = linkedPrompt(photo, asset);
  if (existing) settings = std::get<timeline::PromptPayload>(document_->item(existing)->payload).settings;
  const timeline::GenerationSettings& chosen = inspector_->animateSettings();
  settings.frames = chosen.frames;
  settings.fps = chosen.fps;
  settings.motionAmount = chosen.motionAmount;
  settings.referenceImages = {asset};
  const auto rate = document_->settings().frameRate;
  const FrameTime length = std::max(FrameTime{1}, rate.fromSeconds(timeline::Rational::reduced(
                                                                       std::int64_t(settings.frames) * settings.fps.den,
                                                                       settings.fps.num),
                                                                   timeline::Rounding::Nearest));

  timeline::EditMacro macro(*document_, tr("Animate photo"));
  ItemId prompt = existing;
  if (prompt) {
    const Item* item = document_->item(prompt);
    if (item->duration != length) (void)document_->requestTrim(prompt, timeline::Edge::End, item->start + length);
    if (auto changed = document_->requestChangeGenerationSettings(prompt, settings); !changed)
      return showStatus(QString::fromStdString(changed.reason));
  } else {
    // A reference photo: the prompt goes on the nearest prompt track above it with room, else a new one right
    // above it; the clip then lands on the first video track below. A still on a video track gets a prompt track
    // and a video track of its own right below it, so the clip never lands on the photo itself.
    const int photoIndex = trackIndex(*document_, photo.track);
    const bool onVideo = document_->track(photo.track)->kind == TrackKind::Video;
    const timeline::PromptPayload payload{settings};
    if (!onVideo) {
      const auto& tracks = document_->tracks();
      for (int i = photoIndex - 1; i >= 0 && prompt == 0; --i)
        if (tracks[std::size_t(i)].kind == TrackKind::Prompt)
          prompt = document_->requestInsertItem(tracks[std::size_t(i)].id, photo.start, length, payload).createdId;
    }
    if (prompt == 0) {
      const int index = onVideo ? photoIndex + 1 : photoIndex;
      const TrackId track = document_->requestAddTrack(TrackKind::Prompt, "Animate", index).createdId;
      if (onVideo) (void)document_->requestAddTrack(TrackKind::Video, "Animated", index + 1);
      const auto inserted = document_->requestInsertItem(track, photo.start, length, payload);
      if (!inserted) return showStatus(QString::fromStdString(inserted.reason));
      prompt = inserted.createdId;
    }
  }
  if (!ensureStore()) return;
  app::GenerateOptions options;
  options.restorePhoto = inspector_->restorePhoto();
  auto job = generation_->generate(prompt, options);
  if (!job) return showStatus(tr("Cannot animate: %1").arg(QString::fromStdString(job.error().message)));
  showStatus(tr("Animating photo %1").arg(id));
}

}  // namespace lanterna::ui
