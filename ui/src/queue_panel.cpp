#include "lanterna/ui/queue_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QPixmap>
#include <QProgressBar>
#include <QStyle>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "lanterna/ui/theme.h"

namespace lanterna::ui {

using app::JobState;

namespace {

constexpr int kThumbnailSide = 40;

QString progressText(const app::GenerationJobStatus& job) {
  switch (job.state) {
    case JobState::Pending: return QObject::tr("Waiting");
    case JobState::Running: {
      if (job.totalSteps == 0) return QObject::tr("Loading model…");
      QString text = QObject::tr("Step %1/%2").arg(job.step).arg(job.totalSteps);
      if (job.etaSeconds >= 0) text += QObject::tr(" · %1 s left").arg(job.etaSeconds, 0, 'f', 0);
      if (!job.device.isEmpty()) text += QStringLiteral(" · ") + job.device;
      return text;
    }
    case JobState::Succeeded: return QObject::tr("Done in %1 s").arg(job.elapsedSeconds, 0, 'f', 1);
    case JobState::Cancelled: return QObject::tr("Cancelled");
    case JobState::Failed: {
      QString text = job.errorMessage.isEmpty() ? QObject::tr("Failed") : job.errorMessage;
      if (!job.suggestion.isEmpty()) text += QStringLiteral(" — ") + job.suggestion;
      return text;
    }
  }
  return {};
}

QToolButton* toolButton(QStyle::StandardPixmap icon, const QString& tip, const QString& name) {
  auto* button = new QToolButton;
  button->setIcon(button->style()->standardIcon(icon));
  button->setToolTip(tip);
  button->setObjectName(name);
  button->setAutoRaise(true);
  return button;
}

}  // namespace

QueuePanel::QueuePanel(QWidget* parent) : QWidget(parent) {
  setObjectName("queuePanel");
  list_ = new QTreeWidget;
  list_->setColumnCount(3);
  list_->setHeaderLabels({tr("Job"), tr("State"), tr("Progress")});
  list_->setRootIsDecorated(false);
  list_->setAlternatingRowColors(true);
  list_->setIconSize({kThumbnailSide, kThumbnailSide});
  list_->header()->setStretchLastSection(true);
  list_->setColumnWidth(0, 130);
  list_->setColumnWidth(1, 90);
  connect(list_, &QTreeWidget::itemSelectionChanged, this, &QueuePanel::updateButtons);

  empty_ = new QLabel(tr("No generations queued. Select a prompt item and press Generate."));
  empty_->setObjectName("panelHint");
  empty_->setWordWrap(true);

  cancel_ = toolButton(QStyle::SP_MediaStop, tr("Cancel the selected job"), "cancelJob");
  retry_ = toolButton(QStyle::SP_BrowserReload, tr("Run the selected job again"), "retryJob");
  up_ = toolButton(QStyle::SP_ArrowUp, tr("Run earlier"), "jobUp");
  down_ = toolButton(QStyle::SP_ArrowDown, tr("Run later"), "jobDown");
  cancelAll_ = toolButton(QStyle::SP_DialogDiscardButton, tr("Cancel every waiting and running job"), "cancelAll");
  connect(cancelAll_, &QToolButton::clicked, this, [this] { if (queue_) queue_->cancelAll(); });
  connect(cancel_, &QToolButton::clicked, this, [this] { if (queue_) queue_->cancel(selectedJob()); });
  connect(retry_, &QToolButton::clicked, this, [this] { if (queue_) queue_->retry(selectedJob()); });
  connect(up_, &QToolButton::clicked, this, [this] { moveSelected(-1); });
  connect(down_, &QToolButton::clicked, this, [this] { moveSelected(+1); });

  auto* buttons = new QHBoxLayout;
  buttons->setContentsMargins(6, 4, 6, 4);
  for (auto* button : {cancel_, cancelAll_, retry_, up_, down_}) buttons->addWidget(button);
  buttons->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addLayout(buttons);
  layout->addWidget(empty_);
  layout->addWidget(list_, 1);
  refresh();
}

void QueuePanel::setQueue(JobQueue* queue) {
  if (queue_) disconnect(queue_, nullptr, this, nullptr);
  queue_ = queue;
  if (queue_) {
    connect(queue_, &JobQueue::queueChanged, this, &QueuePanel::refresh);
    connect(queue_, &JobQueue::jobProgress, this, &QueuePanel::refresh);
    connect(queue_, &JobQueue::jobFinished, this, &QueuePanel::refresh);
  }
  refresh();
}

qint64 QueuePanel::selectedJob() const {
  const auto selected = list_->selectedItems();
  return selected.isEmpty() ? 0 : selected.front()->data(0, Qt::UserRole).toLongLong();
}

int QueuePanel::rowCount() const { return list_->topLevelItemCount(); }

// Rebuilt from jobs() each time: the queue is the truth, and there are never more than a few dozen rows.
void QueuePanel::refresh() {
  const qint64 keep = selectedJob();
  list_->clear();
  const auto jobs = queue_ ? queue_->jobs() : std::vector<app::GenerationJobStatus>{};
  for (const auto& job : jobs) {
    QString state = jobStateText(job.state);
    if (job.state == JobState::Running && !job.device.isEmpty()) state += QStringLiteral(" · ") + job.device;
    auto* row = new QTreeWidgetItem(list_, {job.spec.title, state, progressText(job)});
    row->setData(0, Qt::UserRole, job.id);
    // The newest preview (or the result) as the row's thumbnail.
    if (job.state != JobState::Pending) {
      const QImage preview = queue_->latestPreview(job.id);
      if (!preview.isNull())
        row->setIcon(0, QIcon(QPixmap::fromImage(preview.scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio))));
    }
    row->setToolTip(2, job.suggestion.isEmpty() ? row->text(2) : row->text(2) + "\n" + job.suggestion);
    if (job.state == JobState::Failed) row->setForeground(2, theme::kError);
    if (job.state == JobState::Running && job.totalSteps > 0) {
      auto* bar = new QProgressBar;
      bar->setRange(0, job.totalSteps);
      bar->setValue(job.step);
      // The bar is narrow: steps and time left on it, the device in the state column, all of it in the tooltip.
      QString format = QStringLiteral("%1/%2").arg(job.step).arg(job.totalSteps);
      if (job.etaSeconds >= 0) format += tr(" · %1 s").arg(job.etaSeconds, 0, 'f', 0);
      bar->setFormat(format);
      bar->setToolTip(progressText(job));
      bar->setMaximumHeight(20);
      bar->setAlignment(Qt::AlignCenter);
      list_->setItemWidget(row, 2, bar);
    }
    if (job.id == keep) row->setSelected(true);
  }
  empty_->setText(queue_ ? tr("No generations queued. Select a prompt item and press Generate.")
                         : tr("Generation is not available in this build (no engine)."));
  empty_->setVisible(jobs.empty());
  list_->setVisible(!jobs.empty());
  updateButtons();
}

void QueuePanel::moveSelected(int offset) {
  if (!queue_) return;
  const qint64 id = selectedJob();
  int pendingIndex = 0;
  for (const auto& job : queue_->jobs()) {
    if (job.state != JobState::Pending) continue;
    if (job.id == id) break;
    ++pendingIndex;
  }
  queue_->movePending(id, std::max(0, pendingIndex + offset));
}

void QueuePanel::updateButtons() {
  const qint64 id = selectedJob();
  const JobState state = queue_ && id ? queue_->status(id).state : JobState::Succeeded;
  const bool active = id && (state == JobState::Pending || state == JobState::Running);
  cancel_->setEnabled(active);
  bool anyActive = false;
  if (queue_)
    for (const auto& job : queue_->jobs()) anyActive |= job.state == JobState::Pending || job.state == JobState::Running;
  cancelAll_->setEnabled(anyActive);
  retry_->setEnabled(id && (state == JobState::Failed || state == JobState::Cancelled));
  up_->setEnabled(id && state == JobState::Pending);
  down_->setEnabled(id && state == JobState::Pending);
}

}  // namespace lanterna::ui
