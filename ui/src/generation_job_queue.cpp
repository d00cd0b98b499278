// JobQueue over app::GenerationQueue. Its own file, so only binaries that create the real queue link the engine.
#include "lanterna/ui/job_queue.h"

#include <QThread>

#include <algorithm>

namespace lanterna::ui {

namespace {

inference::EngineOptions engineOptions() {
  inference::EngineOptions options;
  options.cpuThreads = std::max(1, QThread::idealThreadCount() - 1);
  return options;
}

class GenerationJobQueue final : public JobQueue {
 public:
  // One core stays with the UI thread, so a busy engine never starves the event loop.
  GenerationJobQueue() : queue_(engineOptions()) {
    connect(&queue_, &app::GenerationQueue::queueChanged, this, &JobQueue::queueChanged);
    connect(&queue_, &app::GenerationQueue::jobProgress, this, &JobQueue::jobProgress);
    connect(&queue_, &app::GenerationQueue::previewAvailable, this, &JobQueue::previewAvailable);
    connect(&queue_, &app::GenerationQueue::jobFinished, this, &JobQueue::jobFinished);
  }

  qint64 enqueue(app::GenerationJobSpec spec) override { return queue_.enqueue(std::move(spec)); }
  bool cancel(qint64 id) override { return queue_.cancel(id); }
  void cancelAll() override { queue_.cancelAll(); }
  bool movePending(qint64 id, int newIndex) override { return queue_.movePending(id, newIndex); }
  qint64 retry(qint64 id) override { return queue_.retry(id); }
  std::vector<app::GenerationJobStatus> jobs() const override { return queue_.jobs(); }
  app::GenerationJobStatus status(qint64 id) const override { return queue_.status(id); }
  QImage latestPreview(qint64 id) const override { return queue_.latestPreview(id); }
  app::GenerationQueue* generationQueue() override { return &queue_; }

 private:
  app::GenerationQueue queue_;
};

}  // namespace

std::unique_ptr<JobQueue> makeGenerationJobQueue() { return std::make_unique<GenerationJobQueue>(); }

}  // namespace lanterna::ui
