// MainWindow's generate-in-place flow: the Generate action, live previews on the clip and in the viewer, takes.
// The orchestration itself is app::GenerationService; this file only wires it to the panels.
#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QMenuBar>
#include <QStandardPaths>
#include <QStatusBar>

#include <variant>

#include "lanterna/app/generation_service.h"
#include "lanterna/app/project_store.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/timeline_widget.h"
#include "lanterna/ui/transport.h"
#include "lanterna/ui/viewer_widget.h"

namespace lanterna::ui {

using timeline::ItemId;

void MainWindow::createGenerationActions() {
  QMenu* menu = menuBar()->addMenu(tr("&Generate"));
  auto* generateAction = menu->addAction(tr("&Generate Selected"));
  generateAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
  connect(generateAction, &QAction::triggered, this, &MainWindow::generateSelected);
  auto* cancelAction = menu->addAction(tr("&Cancel Selected"));
  cancelAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
  connect(cancelAction, &QAction::triggered, this, &MainWindow::cancelSelected);
  menu->addSeparator();
  auto* previous = menu->addAction(tr("&Previous Take"));
  previous->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_BracketLeft));
  connect(previous, &QAction::triggered, this, [this] { chooseTake(-1); });
  auto* next = menu->addAction(tr("&Next Take"));
  next->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_BracketRight));
  connect(next, &QAction::triggered, this, [this] { chooseTake(1); });
  auto* compare = menu->addAction(tr("C&ompare Takes"));
  compare->setCheckable(true);
  compare->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
  connect(compare, &QAction::toggled, this, &MainWindow::setCompareTakes);
}

// Called whenever the document or the store changes, so the service always edits what the window shows.
void MainWindow::attachGeneration() {
  if (generation_) generation_->setProject(document_.get(), store_.get());
}

void MainWindow::generateSelected() {
  ItemId id = timeline_->selectedItem();
  if (const timeline::Item* item = document_->item(id); item && std::holds_alternative<timeline::VideoPayload>(item->payload))
    id = promptAbove(id);
  generate(id);
}

void MainWindow::generate(qint64 itemId) {
  const timeline::Item* item = document_->item(itemId);
  if (!item || !std::holds_alternative<timeline::PromptPayload>(item->payload))
    return showStatus(tr("Select a prompt item to generate"));
  if (!generation_) return showStatus(tr("Generation is not available in this build"));
  if (!ensureStore()) return;
  auto job = generation_->generate(itemId);
  if (!job) return showStatus(tr("Cannot generate: %1").arg(QString::fromStdString(job.error().message)));
  showStatus(tr("Generating prompt item %1").arg(itemId));
}

// Results and imports are project media, so an unsaved project is saved first where the user will find it.
bool MainWindow::ensureStore() {
  if (store_) return true;
  const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/projects";
  QDir().mkpath(folder);
  const QString name = QString::fromStdString(document_->settings().name).simplified().replace('/', '-');
  const QString path = QDir(folder).filePath(
      QStringLiteral("%1-%2.lanterna").arg(name, QDateTime::currentDateTime().toString("yyyyMMdd-hhmmss")));
  return saveProjectTo(path);
}

void MainWindow::cancelSelected() {
  if (!generation_) return;
  ItemId id = timeline_->selectedItem();
  if (const timeline::Item* item = document_->item(id); item && std::holds_alternative<timeline::PromptPayload>(item->payload))
    id = generation_->clipUnder(id);
  if (!generation_->cancel(id)) showStatus(tr("The selected clip is not generating"));
}

ItemId MainWindow::promptAbove(ItemId clip) const {
  if (!generation_) return 0;
  for (const timeline::Item& item : document_->snapshot().items)
    if (std::holds_alternative<timeline::PromptPayload>(item.payload) && generation_->clipUnder(item.id) == clip)
      return item.id;
  return 0;
}

void MainWindow::chooseTake(int offset) {
  const ItemId id = timeline_->selectedItem();
  const timeline::Item* item = document_->item(id);
  const auto* video = item ? std::get_if<timeline::VideoPayload>(&item->payload) : nullptr;
  if (!video || video->takes.size() < 2) return showStatus(tr("Select a clip with more than one take"));
  const int count = static_cast<int>(video->takes.size());
  const int take = ((video->activeTake + offset) % count + count) % count;
  if (auto chosen = document_->requestChooseTake(id, take); !chosen) showStatus(QString::fromStdString(chosen.reason));
}

void MainWindow::setCompareTakes(bool compare) {
  compareTakes_ = compare;
  updateViewer();
}

QImage MainWindow::takeImage(const timeline::Item& item, int take, double seconds) const {
  const auto* video = std::get_if<timeline::VideoPayload>(&item.payload);
  if (!generation_ || !video || take < 0 || take >= static_cast<int>(video->takes.size())) return {};
  return generation_->assetFrame(video->takes[take].asset, seconds);
}

void MainWindow::showClipPreview(qint64 clip) {
  timeline_->update();
  const auto running = generation_->running(clip);
  if (!running) return;
  if (previewClip_ != 0 && previewClip_ != clip && generation_->running(previewClip_)) return;  // one at a time
  previewClip_ = clip;
  const double fraction = running->totalSteps > 0 ? double(running->step) / running->totalSteps : 0.0;
  viewer_->setCompareImage({});
  QString caption = running->preview.isNull()
                        ? tr("Starting clip %1…").arg(clip)
                        : tr("Clip %1 · step %2/%3").arg(clip).arg(running->step).arg(running->totalSteps);
  QImage image = running->preview;
  // A clip's preview has every frame: show the one under the playhead (frame 0 when it is elsewhere).
  const int frames = static_cast<int>(running->previewFrames.size());
  if (const timeline::Item* item = document_->item(clip); item && frames > 1) {
    const auto at = transport_->playhead();
    const double seconds = at >= item->start && at < item->end()
                               ? document_->settings().frameRate.toSeconds(at - item->start).toDouble()
                               : 0.0;
    const int index = app::frameIndexAt(seconds, running->fps, frames);
    image = running->previewFrames[std::size_t(index)];
    caption += tr(" · frame %1/%2").arg(index + 1).arg(frames);
  }
  viewer_->showImage(image, caption);
  viewer_->setProgress(fraction);
}

void MainWindow::finishClip(qint64 clip, app::JobState state, const QString& message) {
  if (state == app::JobState::Failed) showStatus(tr("Clip %1 failed: %2").arg(clip).arg(message));
  else if (state == app::JobState::Cancelled) showStatus(tr("Clip %1 cancelled").arg(clip));
  else showStatus(tr("Clip %1 generated").arg(clip));
  if (clip == previewClip_) {
    previewClip_ = 0;
    viewer_->setProgress(-1.0);
  }
  timeline_->update();
  updateViewer();
}

}  // namespace lanterna::ui
