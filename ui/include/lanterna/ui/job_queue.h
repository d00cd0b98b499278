// What the studio needs from a generation queue, so the panels do not depend on how jobs run. Usage:
//   std::unique_ptr<JobQueue> queue = makeGenerationJobQueue();   // app::GenerationQueue on its worker thread
//   queuePanel->setQueue(queue.get());
// Lives on the UI thread; implementations deliver their signals there (queued from any worker).
#pragma once

#include <QImage>
#include <QObject>

#include <memory>
#include <vector>

#include "lanterna/app/generation_queue.h"

namespace lanterna::ui {

class JobQueue : public QObject {
  Q_OBJECT
 public:
  using QObject::QObject;

  virtual qint64 enqueue(app::GenerationJobSpec spec) = 0;
  virtual bool cancel(qint64 id) = 0;
  virtual void cancelAll() = 0;
  virtual bool movePending(qint64 id, int newIndex) = 0;
  virtual qint64 retry(qint64 id) = 0;
  virtual std::vector<app::GenerationJobStatus> jobs() const = 0;
  virtual app::GenerationJobStatus status(qint64 id) const = 0;
  virtual QImage latestPreview(qint64 id) const = 0;
  // The engine-backed queue behind this one, for services that store results; null for queues without an engine.
  virtual app::GenerationQueue* generationQueue() { return nullptr; }

 signals:
  void queueChanged();
  void jobProgress(qint64 id, int step, int totalSteps);
  void previewAvailable(qint64 id);
  void jobFinished(qint64 id, lanterna::app::JobState state);
};

// The real queue: app::GenerationQueue with its worker thread and resident model.
std::unique_ptr<JobQueue> makeGenerationJobQueue();

QString jobStateText(app::JobState state);

}  // namespace lanterna::ui
