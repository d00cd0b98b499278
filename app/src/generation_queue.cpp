#include "lanterna/app/generation_queue.h"

#include "lanterna/app/image_convert.h"

#include <algorithm>
#include <chrono>

namespace lanterna::app {

const char* jobStateName(JobState state) {
  switch (state) {
    case JobState::Pending: return "pending";
    case JobState::Running: return "running";
    case JobState::Succeeded: return "succeeded";
    case JobState::Failed: return "failed";
    case JobState::Cancelled: return "cancelled";
  }
  return "unknown";
}

struct GenerationQueue::Job {
  GenerationJobStatus status;
  inference::CancelToken cancel;
  QImage preview;
  std::vector<QImage> previewFrames;  // all frames of a clip's preview; preview is the first
  bool previewSignalPending = false;
  std::vector<QImage> results;
};

namespace {

QString suggestionFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::OutOfMemory: return "Lower the size or the number of frames, or close other GPU programs.";
    case ErrorKind::FileNotFound: return "Check the model in the model library, or pick another model.";
    case ErrorKind::FormatIncorrect:
    case ErrorKind::Truncated: return "The model file looks damaged: download it again.";
    case ErrorKind::FeatureUnsupported: return "Pick a model Lanterna supports (see the model library).";
    case ErrorKind::InvalidArgument: return "Change the setting named in the message.";
    case ErrorKind::DiskFull: return "Free some disk space and retry.";
    default: return {};
  }
}

// Bridges the engine's per-step callback to the queue: stores the newest preview and signals only when the UI has
// taken the previous one, so previews never pile up.
class QueueObserver : public inference::StepObserver {
 public:
  QueueObserver(std::function<void(const inference::StepInfo&)> onStep) : onStep_(std::move(onStep)) {}
  void onStep(const inference::StepInfo& step) override { onStep_(step); }

 private:
  std::function<void(const inference::StepInfo&)> onStep_;
};

}  // namespace

GenerationQueue::GenerationQueue(inference::EngineOptions engineOptions, QObject* parent)
    : QObject(parent), engineOptions_(std::move(engineOptions)) {
  qRegisterMetaType<lanterna::app::JobState>("lanterna::app::JobState");
  worker_ = std::thread([this] { workerLoop(); });
}

GenerationQueue::~GenerationQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, job] : jobs_) job->cancel.cancel();
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

qint64 GenerationQueue::enqueue(GenerationJobSpec spec) {
  qint64 id;
  {
    std::lock_guard lock(mutex_);
    id = nextId_++;
    auto job = std::make_shared<Job>();
    job->status.id = id;
    job->status.spec = std::move(spec);
    job->status.totalSteps = job->status.spec.request.steps;
    jobs_[id] = job;
    pending_.push_back(id);
  }
  changed_.notify_all();
  emit jobAdded(id);
  emit queueChanged();
  return id;
}

bool GenerationQueue::cancel(qint64 id) {
  bool droppedPending = false;
  {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return false;
    auto& job = it->second;
    if (job->status.state == JobState::Running) {
      job->cancel.cancel();
      return true;
    }
    if (job->status.state != JobState::Pending) return false;
    pending_.erase(std::remove(pending_.begin(), pending_.end(), id), pending_.end());
    job->status.state = JobState::Cancelled;
    droppedPending = true;
  }
  changed_.notify_all();
  if (droppedPending) {
    emit jobFinished(id, JobState::Cancelled);
    emit queueChanged();
  }
  return true;
}

void GenerationQueue::cancelAll() {
  std::vector<qint64> ids;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, job] : jobs_)
      if (job->status.state == JobState::Pending || job->status.state == JobState::Running) ids.push_back(id);
  }
  // Pending ones first, so the worker does not start one of them after the running one stops.
  std::sort(ids.begin(), ids.end(), std::greater<>());
  for (qint64 id : ids) cancel(id);
}

bool GenerationQueue::movePending(qint64 id, int newIndex) {
  {
    std::lock_guard lock(mutex_);
    auto it = std::find(pending_.begin(), pending_.end(), id);
    if (it == pending_.end()) return false;
    pending_.erase(it);
    newIndex = std::clamp(newIndex, 0, static_cast<int>(pending_.size()));
    pending_.insert(pending_.begin() + newIndex, id);
  }
  emit queueChanged();
  return true;
}

qint64 GenerationQueue::retry(qint64 id) {
  GenerationJobSpec spec;
  {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return 0;
    const JobState state = it->second->status.state;
    if (state != JobState::Failed && state != JobState::Cancelled) return 0;
    spec = it->second->status.spec;
  }
  spec.retryOf = id;
  spec.generationId = 0;  // a retry is a new generation in the history
  return enqueue(std::move(spec));
}

std::vector<GenerationJobStatus> GenerationQueue::jobs() const {
  std::lock_guard lock(mutex_);
  std::vector<GenerationJobStatus> all;
  for (const auto& [id, job] : jobs_) all.push_back(job->status);
  // Display order: running, then pending in queue order, then finished newest first.
  auto pendingIndex = [this](qint64 id) {
    return std::find(pending_.begin(), pending_.end(), id) - pending_.begin();
  };
  std::stable_sort(all.begin(), all.end(), [&](const GenerationJobStatus& a, const GenerationJobStatus& b) {
    auto rank = [](JobState s) { return s == JobState::Running ? 0 : s == JobState::Pending ? 1 : 2; };
    if (rank(a.state) != rank(b.state)) return rank(a.state) < rank(b.state);
    if (a.state == JobState::Pending) return pendingIndex(a.id) < pendingIndex(b.id);
    return a.id > b.id;
  });
  return all;
}

std::shared_ptr<GenerationQueue::Job> GenerationQueue::findJob(qint64 id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : it->second;
}

GenerationJobStatus GenerationQueue::status(qint64 id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  return it == jobs_.end() ? GenerationJobStatus{} : it->second->status;
}

QImage GenerationQueue::latestPreview(qint64 id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return {};
  it->second->previewSignalPending = false;
  return it->second->preview;
}

std::vector<QImage> GenerationQueue::latestPreviewFrames(qint64 id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  return it == jobs_.end() ? std::vector<QImage>{} : it->second->previewFrames;
}

std::vector<QImage> GenerationQueue::results(qint64 id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  return it == jobs_.end() ? std::vector<QImage>{} : it->second->results;
}

bool GenerationQueue::waitForIdle(int timeoutMs) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                           [this] { return pending_.empty() && !busy_; });
}

void GenerationQueue::releaseModel() {
  std::lock_guard lock(mutex_);
  releaseRequested_ = true;
}

void GenerationQueue::workerLoop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || !pending_.empty() || releaseRequested_; });
      if (stopping_) return;
      if (releaseRequested_) {
        engine_.reset();
        enginePath_.clear();
        releaseRequested_ = false;
        if (pending_.empty()) continue;
      }
      job = jobs_.at(pending_.front());
      pending_.pop_front();
      job->status.state = JobState::Running;
      busy_ = true;
    }
    emit jobStarted(job->status.id);
    emit queueChanged();
    runJob(job);
    {
      std::lock_guard lock(mutex_);
      busy_ = false;
    }
    changed_.notify_all();
    emit jobFinished(job->status.id, job->status.state);
    emit queueChanged();
  }
}

void GenerationQueue::runJob(const std::shared_ptr<Job>& job) {
  const auto started = std::chrono::steady_clock::now();
  auto finish = [&](JobState state, const Error* error) {
    std::lock_guard lock(mutex_);
    job->status.state = state;
    job->status.elapsedSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (error) {
      job->status.errorKind = error->kind;
      job->status.errorMessage = QString::fromStdString(error->message);
      job->status.suggestion = suggestionFor(error->kind);
    }
  };

  const QString modelPath = job->status.spec.modelPath;
  if (!engine_ || enginePath_ != modelPath) {
    engine_.reset();  // free the previous model before loading the next one
    auto opened = inference::Engine::open(modelPath.toStdString(), engineOptions_);
    if (!opened) {
      finish(JobState::Failed, &opened.error());
      return;
    }
    engine_ = std::make_unique<inference::Engine>(std::move(*opened));
    enginePath_ = modelPath;
    ++modelLoads_;
  }
  {
    std::lock_guard lock(mutex_);
    job->status.device = QString::fromStdString(engine_->info().device);
  }

  QueueObserver observer([&](const inference::StepInfo& step) {
    bool signalPreview = false;
    {
      std::lock_guard lock(mutex_);
      job->status.step = step.step;
      job->status.totalSteps = step.totalSteps;
      job->status.elapsedSeconds = step.elapsedSeconds;
      if (step.step > 0)
        job->status.etaSeconds = step.elapsedSeconds / step.step * (step.totalSteps - step.step);
      if (!step.preview.empty()) {
        job->previewFrames.clear();
        for (const auto& frame : step.preview) job->previewFrames.push_back(toQImage(frame));
        job->preview = job->previewFrames.front();
        signalPreview = !job->previewSignalPending;
        job->previewSignalPending = true;
      }
    }
    emit jobProgress(job->status.id, step.step, step.totalSteps);
    if (signalPreview) emit previewAvailable(job->status.id);
  });

  auto output = engine_->generate(job->status.spec.request, &observer, job->cancel);
  if (!output) {
    const Error& error = output.error();
    if (error.kind == ErrorKind::Cancelled) {
      finish(JobState::Cancelled, nullptr);
      return;
    }
    // After an out-of-memory (a CUDA step, VAE decode or load) the resident model may hold fragments of device
    // memory: drop it so the next job starts clean with all memory free.
    if (error.kind == ErrorKind::OutOfMemory) {
      engine_.reset();
      enginePath_.clear();
    }
    finish(JobState::Failed, &error);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    for (const auto& frame : output->frames) job->results.push_back(toQImage(frame));
    if (!job->results.empty()) job->preview = job->results.front();
  }
  finish(JobState::Succeeded, nullptr);
}

}  // namespace lanterna::app
