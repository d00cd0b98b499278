// The generation queue panel: every job with its state and progress, and buttons to cancel, retry and reorder.
// Usage: auto* panel = new QueuePanel(parent); panel->setQueue(queue);
// UI thread only; the queue's signals arrive queued from its worker and only trigger a refresh from jobs().
#pragma once

#include <QPointer>
#include <QWidget>

#include "lanterna/ui/job_queue.h"

class QLabel;
class QToolButton;
class QTreeWidget;

namespace lanterna::ui {

class QueuePanel : public QWidget {
  Q_OBJECT
 public:
  explicit QueuePanel(QWidget* parent = nullptr);

  void setQueue(JobQueue* queue);  // nullptr: generation is not available
  qint64 selectedJob() const;
  int rowCount() const;

 public slots:
  void refresh();

 private:
  void moveSelected(int offset);
  void updateButtons();

  QPointer<JobQueue> queue_;
  QTreeWidget* list_ = nullptr;
  QLabel* empty_ = nullptr;
  QToolButton* cancel_ = nullptr;
  QToolButton* cancelAll_ = nullptr;
  QToolButton* retry_ = nullptr;
  QToolButton* up_ = nullptr;
  QToolButton* down_ = nullptr;
};

}  // namespace lanterna::ui
