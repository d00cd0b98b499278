// Runs generation jobs one at a time on a long-lived worker thread that keeps the last model resident. Usage:
//   GenerationQueue queue;
//   qint64 id = queue.enqueue({"Clip 3", modelPath, request});
//   connect(&queue, &GenerationQueue::previewAvailable, [&](qint64 id) { show(queue.latestPreview(id)); });
// The queue object lives on the UI thread; its signals are emitted from the worker and arrive queued. Previews are
// latest-wins: a slow UI drops frames instead of stalling the worker. All public functions are thread-safe.
#pragma once

#include <QImage>
#include <QObject>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "lanterna/inference/engine.h"
#include "lanterna/result.h"

namespace lanterna::app {

enum class JobState { Pending, Running, Succeeded, Failed, Cancelled };
const char* jobStateName(JobState state);

struct GenerationJobSpec {
  QString title;
  QString modelPath;
  inference::GenerationRequest request;
  qint64 generationId = 0;  // the project history row this job fills, 0 if none
  qint64 retryOf = 0;
};

struct GenerationJobStatus {
  qint64 id = 0;
  GenerationJobSpec spec;
  JobState state = JobState::Pending;
  int step = 0;
  int totalSteps = 0;
  double elapsedSeconds = 0.0;
  double etaSeconds = -1.0;  // unknown until the first step
  QString device;
  ErrorKind errorKind = ErrorKind::Unset;
  QString errorMessage;
  QString suggestion;  // what the user can change, e.g. "lower the size or the number of frames"
};

class GenerationQueue : public QObject {
  Q_OBJECT
 public:
  explicit GenerationQueue(inference::EngineOptions engineOptions = {}, QObject* parent = nullptr);
  ~GenerationQueue() override;  // cancels the running job and joins the worker

  qint64 enqueue(GenerationJobSpec spec);
  // Pending: dropped as Cancelled. Running: the engine stops within one step. Finished: false.
  bool cancel(qint64 id);
  void cancelAll();
  // Moves a pending job to position newIndex among the pending jobs.
  bool movePending(qint64 id, int newIndex);
  // Enqueues a finished (failed or cancelled) job's spec again; returns the new job id, 0 if not allowed.
  qint64 retry(qint64 id);

  std::vector<GenerationJobStatus> jobs() const;
  GenerationJobStatus status(qint64 id) const;
  QImage latestPreview(qint64 id) const;  // frame 0 for clips
  // Every frame of the newest preview (one for stills); does not count as taking the preview.
  std::vector<QImage> latestPreviewFrames(qint64 id) const;
  std::vector<QImage> results(qint64 id) const;
  // Blocks until nothing is pending or running (CLI and tests). False on timeout.
  bool waitForIdle(int timeoutMs) const;
  // Releases the resident model (e.g. after an out-of-memory, or when the user frees memory).
  void releaseModel();
  // How many times the worker has loaded a model: a job after an out-of-memory loads it again.
  int modelLoads() const { return modelLoads_; }

 signals:
  void jobAdded(qint64 id);
  void jobStarted(qint64 id);
  void jobProgress(qint64 id, int step, int totalSteps);
  void previewAvailable(qint64 id);
  void jobFinished(qint64 id, lanterna::app::JobState state);
  void queueChanged();

 private:
  struct Job;
  void workerLoop();
  void runJob(const std::shared_ptr<Job>& job);
  std::shared_ptr<Job> findJob(qint64 id) const;

  inference::EngineOptions engineOptions_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::map<qint64, std::shared_ptr<Job>> jobs_;
  std::deque<qint64> pending_;
  qint64 nextId_ = 1;
  bool stopping_ = false;
  bool busy_ = false;
  // Owned by the worker thread only.
  std::unique_ptr<inference::Engine> engine_;
  QString enginePath_;
  bool releaseRequested_ = false;
  std::atomic<int> modelLoads_{0};
  std::thread worker_;
};

}  // namespace lanterna::app
