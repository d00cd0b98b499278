#include "lanterna/ui/main_window.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QUndoStack>

#include <variant>

#include "lanterna/app/generation_service.h"
#include "lanterna/app/project_store.h"
#include "lanterna/ui/history_panel.h"
#include "lanterna/ui/inspector_widget.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/model_library_panel.h"
#include "lanterna/ui/queue_panel.h"
#include "lanterna/ui/timeline_widget.h"
#include "lanterna/ui/transport.h"
#include "lanterna/ui/viewer_widget.h"
#include "waveform_provider.h"

namespace lanterna::ui {

using timeline::FrameTime;
using timeline::ItemId;

namespace {
constexpr int kStatusTimeoutMs = 5000;
}  // namespace

MainWindow::MainWindow(std::unique_ptr<JobQueue> queue, QWidget* parent)
    : QMainWindow(parent), queue_(std::move(queue)) {
  setObjectName("mainWindow");
  transport_ = new Transport(this);
  viewer_ = new ViewerWidget;
  setCentralWidget(viewer_);
  createDocks();
  createActions();
  createGenerationActions();
  statusBar()->showMessage(tr("Ready"));
  resize(1440, 900);
  restoreLayout();

  connect(transport_, &Transport::playheadChanged, this, &MainWindow::updateViewer);
  connect(transport_, &Transport::playingChanged, this, [this](bool playing) {
    play_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
  });
  connect(timeline_, &TimelineWidget::editRefused, this, &MainWindow::showStatus);
  waveforms_ = new WaveformProvider(this);
  connect(waveforms_, &WaveformProvider::ready, timeline_, qOverload<>(&QWidget::update));
  timeline_->setDecorationProvider([this](ItemId id) { return decorationFor(id); });
  connect(timeline_, &TimelineWidget::selectionChanged, inspector_, &InspectorWidget::showItem);
  connect(timeline_, &TimelineWidget::selectionChanged, this, &MainWindow::saveViewState);
  connect(transport_, &Transport::playingChanged, this, &MainWindow::saveViewState);
  connect(inspector_, &InspectorWidget::generateRequested, this, &MainWindow::generate);
  connectHistory();
  connectPhotos();
  if (queue_ && queue_->generationQueue()) {
    generation_ = std::make_unique<app::GenerationService>(*queue_->generationQueue());
    connect(generation_.get(), &app::GenerationService::clipPreviewChanged, this, &MainWindow::showClipPreview);
    connect(generation_.get(), &app::GenerationService::clipFinished, this, &MainWindow::finishClip);
    connect(generation_.get(), &app::GenerationService::historyChanged, this, &MainWindow::refreshHistory);
    connect(generation_.get(), &app::GenerationService::assetLoaded, this, [this] {
      timeline_->update();
      updateViewer();
      // Many thumbnails arrive together after opening a project: one history refresh for the lot.
      if (!historyRefreshPending_) {
        historyRefreshPending_ = true;
        QTimer::singleShot(0, this, [this] {
          historyRefreshPending_ = false;
          refreshHistory();
        });
      }
    });
  } else if (queue_) {
    connectQueue();
  }
  queuePanel_->setQueue(queue_.get());
  setDocument(std::make_unique<timeline::Document>());
}

void MainWindow::connectQueue() {
  connect(queue_.get(), &JobQueue::previewAvailable, this, [this](qint64 job) {
    previewJob_ = job;
    const auto status = queue_->status(job);
    viewer_->showImage(queue_->latestPreview(job),
                       tr("%1 · step %2/%3").arg(status.spec.title).arg(status.step).arg(status.totalSteps));
  });
  connect(queue_.get(), &JobQueue::jobFinished, this, [this](qint64 job, app::JobState state) {
    const auto status = queue_->status(job);
    if (state == app::JobState::Failed) showStatus(tr("%1 failed: %2").arg(status.spec.title, status.errorMessage));
    if (job == previewJob_) previewJob_ = 0;
    updateViewer();
  });
}

// Generating clips show their newest preview and progress; finished clips show their active take.
ItemDecoration MainWindow::decorationFor(ItemId id) const {
  ItemDecoration decoration;
  const timeline::Item* item = document_->item(id);
  if (!item) return decoration;
  if (const auto* audio = std::get_if<timeline::AudioPayload>(&item->payload))
    decoration.waveform = waveforms_->waveform(store_.get(), audio->asset);
  if (!generation_) return decoration;
  if (const auto running = generation_->running(id)) {
    decoration.thumbnail = running->preview;
    decoration.progress = running->totalSteps > 0 ? double(running->step) / running->totalSteps : 0.0;
    decoration.badge = tr("step %1/%2").arg(running->step).arg(running->totalSteps);
  } else if (generation_->saving(id)) {
    decoration.progress = 1.0;
    decoration.badge = tr("saving…");
  }
  if (const auto* reference = std::get_if<timeline::ReferenceImagePayload>(&item->payload))
    decoration.thumbnail = generation_->assetImage(reference->asset);
  if (const auto* video = std::get_if<timeline::VideoPayload>(&item->payload)) {
    if (decoration.thumbnail.isNull())  // imported media has no takes: its own picture
      decoration.thumbnail = video->takes.empty() ? generation_->assetImage(video->asset)
                                                  : takeImage(*item, video->activeTake);
    if (decoration.badge.isEmpty() && video->takes.size() > 1) decoration.badge = tr("%1 takes").arg(video->takes.size());
  }
  return decoration;
}

MainWindow::~MainWindow() {
  saveViewState();
  holdViewState_ = true;  // detaching the panels below clears the selection: not the user's choice
  if (generation_) generation_->setProject(nullptr, nullptr);
  // Panels hold QPointers to the document; detach them before it goes.
  timeline_->setDocument(nullptr);
  inspector_->setDocument(nullptr);
}

void MainWindow::createDocks() {
  setDockNestingEnabled(true);
  setCorner(Qt::BottomLeftCorner, Qt::BottomDockWidgetArea);
  setCorner(Qt::BottomRightCorner, Qt::BottomDockWidgetArea);
  auto dock = [this](QWidget* content, const QString& title, const QString& name, Qt::DockWidgetArea area) {
    auto* widget = new QDockWidget(title, this);
    widget->setObjectName(name);  // saveState() keys the layout by these names
    widget->setWidget(content);
    widget->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                        QDockWidget::DockWidgetClosable);
    addDockWidget(area, widget);
    return widget;
  };
  timeline_ = new TimelineWidget;
  timeline_->setTransport(transport_);
  inspector_ = new InspectorWidget;
  queuePanel_ = new QueuePanel;
  modelPanel_ = new ModelLibraryPanel;
  // The inspector offers the models that can run; the scan reads every file's header, so it runs on a worker.
  connect(modelPanel_, &ModelLibraryPanel::modelsScanned, inspector_, &InspectorWidget::setModelNames);
  modelPanel_->rescan();
  historyPanel_ = new HistoryPanel;
  auto* timelineDock = dock(timeline_, tr("Timeline"), "timelineDock", Qt::BottomDockWidgetArea);
  auto* inspectorDock = dock(inspector_, tr("Inspector"), "inspectorDock", Qt::RightDockWidgetArea);
  auto* queueDock = dock(queuePanel_, tr("Queue"), "queueDock", Qt::LeftDockWidgetArea);
  auto* historyDock = dock(historyPanel_, tr("History"), "historyDock", Qt::LeftDockWidgetArea);
  auto* modelDock = dock(modelPanel_, tr("Models"), "modelDock", Qt::LeftDockWidgetArea);
  tabifyDockWidget(queueDock, historyDock);
  tabifyDockWidget(historyDock, modelDock);
  queueDock->raise();
  resizeDocks({timelineDock}, {300}, Qt::Vertical);
  resizeDocks({inspectorDock, queueDock}, {340, 320}, Qt::Horizontal);
}

void MainWindow::setDocument(std::unique_ptr<timeline::Document> document) {
  timeline_->setDocument(nullptr);
  inspector_->setDocument(nullptr);
  document_ = std::move(document);
  if (!document_) document_ = std::make_unique<timeline::Document>();
  auto& stack = document_->undoStack();
  undo_->setEnabled(stack.canUndo());
  redo_->setEnabled(stack.canRedo());
  connect(&stack, &QUndoStack::canUndoChanged, undo_, &QAction::setEnabled);
  connect(&stack, &QUndoStack::canRedoChanged, redo_, &QAction::setEnabled);
  connect(&stack, &QUndoStack::undoTextChanged, undo_, [this](const QString& text) {
    undo_->setText(text.isEmpty() ? tr("&Undo") : tr("&Undo %1").arg(text));
  });
  connect(&stack, &QUndoStack::redoTextChanged, redo_, [this](const QString& text) {
    redo_->setText(text.isEmpty() ? tr("&Redo") : tr("&Redo %1").arg(text));
  });
  connect(document_.get(), &timeline::Document::changed, this, &MainWindow::refreshFromDocument);
  connect(document_.get(), &timeline::Document::changed, this, &MainWindow::autosave);
  timeline_->setDocument(document_.get());
  inspector_->setDocument(document_.get());
  transport_->pause();
  transport_->setPlayhead(FrameTime{0});
  refreshFromDocument();
  timeline_->zoomToFit();
  attachGeneration();
  setWindowTitle(tr("%1 — Lanterna").arg(QString::fromStdString(document_->settings().name)));
}

void MainWindow::refreshFromDocument() {
  const auto& settings = document_->settings();
  transport_->setFrameRate(settings.frameRate);
  transport_->setEnd(document_->duration());
  viewer_->setFrameSize({settings.width, settings.height});
  if (!store_) viewer_->clearSequence();  // no media without a project file
  else if (auto sources = app::assetSources(*store_)) viewer_->setSequence(document_->snapshot(), std::move(*sources));
  updateViewer();
}

// What is under the playhead, top track first: until media decoding reaches the studio, the viewer names the
// clip (or the prompt that will make it) instead of showing its pixels.
void MainWindow::updateViewer() {
  viewer_->setTimecode(transport_->timecode());
  if (previewJob_ != 0) return;  // a running generation owns the viewer until it finishes
  // Scrubbing over a generating clip picks the preview's frame; while its files are saved, the last preview stays.
  if (previewClip_ != 0 && generation_ && generation_->running(previewClip_)) return showClipPreview(previewClip_);
  if (previewClip_ != 0 && generation_ && generation_->saving(previewClip_)) return;
  const FrameTime at = transport_->playhead();
  QString caption = tr("Nothing at the playhead");
  QImage image;
  QImage compare;
  QString compareCaption;
  for (const timeline::Track& track : document_->tracks()) {
    for (const timeline::Item* item : document_->itemsOnTrack(track.id)) {
      if (at < item->start || at >= item->end()) continue;
      if (const auto* prompt = std::get_if<timeline::PromptPayload>(&item->payload)) {
        caption = tr("Not generated yet\n\n“%1”").arg(QString::fromStdString(prompt->settings.prompt));
      } else if (const auto* video = std::get_if<timeline::VideoPayload>(&item->payload)) {
        // Clips play their own frames at their own rate, whatever the project rate.
        const FrameTime source = video->inPoint + (at - item->start);
        const double seconds = document_->settings().frameRate.toSeconds(source).toDouble();
        caption = tr("Clip %1 · take %2 of %3 · source frame %4")
                      .arg(item->id)
                      .arg(video->activeTake + 1)
                      .arg(video->takes.size())
                      .arg(source.frames);
        image = takeImage(*item, video->activeTake, seconds);
        if (compareTakes_ && video->takes.size() > 1) {
          // Compare with the take before the active one (the last take when the first is active).
          const int other = video->activeTake > 0 ? video->activeTake - 1 : static_cast<int>(video->takes.size()) - 1;
          compare = takeImage(*item, other, seconds);
          compareCaption = tr("Take %1").arg(other + 1);
          caption = tr("Take %1 (active)").arg(video->activeTake + 1);
        }
      }
    }
  }
  viewer_->showImage(image, caption);
  viewer_->setCompareImage(compare, compareCaption);
  viewer_->showSequenceFrame(at);
}

void MainWindow::newProject() {
  if (generation_) generation_->setProject(nullptr, nullptr);
  saveViewState();
  store_.reset();
  setDocument(std::make_unique<timeline::Document>());
  refreshHistory();
  showStatus(tr("New project"));
}

void MainWindow::deleteSelected() {
  const timeline::ItemId id = timeline_->selectedItem();
  if (id == 0) return showStatus(tr("Select an item to delete"));
  if (auto result = document_->requestDeleteItem(id); !result) showStatus(QString::fromStdString(result.reason));
}

// Splits the selected item, or else every item the playhead crosses, as one undo step.
void MainWindow::splitAtPlayhead() {
  const FrameTime at = transport_->playhead();
  std::vector<timeline::ItemId> targets;
  if (timeline_->selectedItem() != 0) {
    targets.push_back(timeline_->selectedItem());
  } else {
    for (const timeline::Item& item : document_->snapshot().items)
      if (item.start < at && at < item.end()) targets.push_back(item.id);
  }
  if (targets.empty()) return showStatus(tr("Nothing under the playhead to split"));
  timeline::EditMacro macro(*document_, tr("Split at playhead"));
  for (timeline::ItemId id : targets)
    if (auto result = document_->requestSplit(id, at); !result) showStatus(QString::fromStdString(result.reason));
}

void MainWindow::showStatus(const QString& message) { statusBar()->showMessage(message, kStatusTimeoutMs); }

void MainWindow::saveLayout() const {
  QSettings settings;
  settings.setValue("mainWindow/geometry", saveGeometry());
  settings.setValue("mainWindow/state", saveState());
}

bool MainWindow::restoreLayout() {
  QSettings settings;
  const bool geometry = restoreGeometry(settings.value("mainWindow/geometry").toByteArray());
  const bool state = restoreState(settings.value("mainWindow/state").toByteArray());
  return geometry && state;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  saveLayout();
  saveViewState();
  if (queue_) queue_->cancelAll();
  event->accept();
}

}  // namespace lanterna::ui
