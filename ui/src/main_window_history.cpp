// MainWindow's history panel: filling it from the project store and its actions (reuse settings, put a take on
// the timeline, reveal the file, read settings back from a PNG).
#include <QDesktopServices>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <variant>

#include "lanterna/app/generation_parameters.h"
#include "lanterna/app/generation_service.h"
#include "lanterna/app/project_store.h"
#include "lanterna/ui/history_panel.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/timeline_widget.h"
#include "lanterna/ui/transport.h"

namespace lanterna::ui {

using timeline::ItemId;

namespace {
constexpr std::int64_t kPlacedClipSeconds = 2;
}  // namespace

void MainWindow::connectHistory() {
  connect(historyPanel_, &HistoryPanel::reuseRequested, this, &MainWindow::reuseSettings);
  connect(historyPanel_, &HistoryPanel::placeRequested, this, &MainWindow::placeTake);
  connect(historyPanel_, &HistoryPanel::entryActivated, this, &MainWindow::placeTake);
  connect(historyPanel_, &HistoryPanel::revealRequested, this, &MainWindow::revealGeneration);
  connect(historyPanel_, &HistoryPanel::openImageRequested, this, &MainWindow::openImage);
}

void MainWindow::refreshHistory() {
  std::vector<HistoryEntry> entries;
  if (store_) {
    auto records = store_->listGenerations();
    if (!records) showStatus(QString::fromStdString(records.error().message));
    else
      for (const app::GenerationRecord& record : *records) {
        HistoryEntry entry{record.id, QString::fromStdString(record.request.prompt),
                           QString::fromStdString(record.request.model), app::generationStatusName(record.status),
                           record.request.seed, QDateTime::fromMSecsSinceEpoch(record.createdMs), record.durationMs,
                           QString::fromStdString(record.errorMessage), record.parent, {}};
        // A clip's outputs are its video then its frame-0 PNG; a still's only output is its PNG.
        if (generation_ && !record.outputs.empty()) entry.thumbnail = generation_->assetImage(record.outputs.back());
        // What was made, not what was asked: a finished clip says its frames and rate in its video's media info;
        // a finished still is one frame, whatever the request said.
        entry.frames = record.status == app::GenerationStatus::Done ? 1 : record.request.frames;
        entry.fps = record.request.fps.toDouble();
        if (record.outputs.size() > 1) {
          if (auto clip = store_->asset(record.outputs.front()); clip && clip->kind == app::AssetKind::Video) {
            const QJsonObject info = QJsonDocument::fromJson(QByteArray::fromStdString(clip->mediaInfoJson)).object();
            entry.frames = info.value("frames").toInt(entry.frames);
            entry.fps = info.value("fps").toDouble(entry.fps);
          }
        }
        entries.push_back(std::move(entry));
      }
  }
  const qint64 keep = historyPanel_->selectedEntry();
  historyPanel_->setEntries(std::move(entries));
  historyPanel_->selectEntry(keep);
}

void MainWindow::reuseSettings(qint64 generation) {
  if (!store_) return;
  auto record = store_->generation(generation);
  if (!record) return showStatus(QString::fromStdString(record.error().message));
  const ItemId id = timeline_->selectedItem();
  const timeline::Item* item = document_->item(id);
  if (!item || !std::holds_alternative<timeline::PromptPayload>(item->payload))
    return showStatus(tr("Select a prompt item to reuse these settings on"));
  timeline::GenerationSettings settings = record->request;
  settings.seedLocked = true;  // reusing means making the same picture again
  if (auto changed = document_->requestChangeGenerationSettings(id, settings); !changed)
    showStatus(QString::fromStdString(changed.reason));
}

// Onto the selected clip as a new take, or else as a new clip at the playhead on the first video track.
void MainWindow::placeTake(qint64 generation) {
  if (!store_) return;
  auto record = store_->generation(generation);
  if (!record) return showStatus(QString::fromStdString(record.error().message));
  if (record->outputs.empty()) return showStatus(tr("This generation has no output to place"));
  const timeline::Take take{generation, record->outputs.front(), {}};
  const ItemId selected = timeline_->selectedItem();
  if (const timeline::Item* item = document_->item(selected);
      item && std::holds_alternative<timeline::VideoPayload>(item->payload)) {
    if (auto added = document_->requestAddTake(selected, take); !added) showStatus(QString::fromStdString(added.reason));
    return;
  }
  timeline::TrackId track = 0;
  for (const timeline::Track& t : document_->tracks())
    if (t.kind == timeline::TrackKind::Video) {
      track = t.id;
      break;
    }
  timeline::EditMacro macro(*document_, tr("Place take"));
  if (track == 0) track = document_->requestAddTrack(timeline::TrackKind::Video, "Video").createdId;
  timeline::VideoPayload payload;
  payload.asset = take.asset;
  payload.takes = {take};
  payload.activeTake = 0;
  const auto duration = document_->settings().frameRate.fromSeconds(timeline::Rational::reduced(kPlacedClipSeconds, 1),
                                                                   timeline::Rounding::Down);
  auto inserted = document_->requestInsertItem(track, transport_->playhead(), duration, payload);
  if (!inserted) return showStatus(QString::fromStdString(inserted.reason));
  timeline_->setSelectedItem(inserted.createdId);
}

void MainWindow::revealGeneration(qint64 generation) {
  if (!store_) return;
  auto record = store_->generation(generation);
  if (!record || record->outputs.empty()) return showStatus(tr("This generation has no file"));
  auto asset = store_->asset(record->outputs.front());
  if (!asset) return showStatus(QString::fromStdString(asset.error().message));
  const QString path = QString::fromStdString((store_->file().parent_path() / asset->path).string());
  QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(path).absolutePath()));
  showStatus(path);
}

void MainWindow::openImage() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open Image"), {}, tr("PNG images (*.png)"));
  if (!path.isEmpty()) applyParametersFromPng(path);
}

bool MainWindow::applyParametersFromPng(const QString& path) {
  const auto parsed = app::readParametersFromPng(path);
  if (!parsed) {
    showStatus(tr("%1 has no generation settings").arg(QFileInfo(path).fileName()));
    return false;
  }
  const ItemId id = timeline_->selectedItem();
  const timeline::Item* item = document_->item(id);
  const auto* prompt = item ? std::get_if<timeline::PromptPayload>(&item->payload) : nullptr;
  if (!prompt) {
    showStatus(tr("Select a prompt item to put the settings of %1 on").arg(QFileInfo(path).fileName()));
    return false;
  }
  timeline::GenerationSettings settings = prompt->settings;
  const inference::GenerationRequest& request = parsed->request;
  settings.prompt = request.prompt;
  settings.negativePrompt = request.negativePrompt;
  settings.sampler = request.sampler;
  settings.steps = request.steps;
  settings.cfg = request.cfgScale;
  settings.seed = static_cast<std::int64_t>(request.seed);
  settings.seedLocked = true;
  settings.width = request.width;
  settings.height = request.height;
  if (!parsed->modelName.isEmpty()) settings.model = parsed->modelName.toStdString();
  if (auto changed = document_->requestChangeGenerationSettings(id, settings); !changed) {
    showStatus(QString::fromStdString(changed.reason));
    return false;
  }
  showStatus(tr("Settings read from %1").arg(QFileInfo(path).fileName()));
  return true;
}

}  // namespace lanterna::ui
