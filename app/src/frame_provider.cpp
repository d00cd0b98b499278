// One worker at most: it keeps taking the newest request until none is left, so a fast scrub renders only the
// frames the worker can keep up with and always ends on the last one asked for.
#include "lanterna/app/frame_provider.h"

namespace lanterna::app {

QImage toQImage(const assets::Frame& frame) {
  const assets::Frame eight =
      frame.format == assets::PixelFormat::Rgba8 ? frame : assets::convertFrame(frame, assets::PixelFormat::Rgba8);
  return QImage(eight.data.data(), eight.width, eight.height, qsizetype(eight.strideBytes), QImage::Format_RGBA8888)
      .copy();
}

FrameProvider::FrameProvider(QObject* parent) : QObject(parent) { pool_.setMaxThreadCount(1); }

FrameProvider::~FrameProvider() {
  {
    std::lock_guard lock(mutex_);
    pending_.reset();
  }
  pool_.waitForDone();
}

void FrameProvider::setSequence(timeline::DocumentSnapshot snapshot, AssetSources sources, RenderOptions options) {
  auto renderer = std::make_shared<SequenceRenderer>(std::move(snapshot), std::move(sources), options);
  std::lock_guard lock(mutex_);
  renderer_ = std::move(renderer);  // the worker finishes its frame with the renderer it holds
  ++generation_;
  cache_.clear();
  if (pending_ && !running_) {  // a request made before there was anything to render
    running_ = true;
    pool_.start([this] { renderPending(); });
  }
}

void FrameProvider::requestFrame(timeline::FrameTime frame) {
  std::unique_lock lock(mutex_);
  if (const QImage* cached = cache_.object(frame.frames)) {
    const QImage image = *cached;
    pending_.reset();  // the newest request is answered; an older one still rendering is not wanted
    lock.unlock();
    emit frameReady(frame.frames, image);
    return;
  }
  pending_ = frame.frames;
  if (running_) return;
  running_ = true;
  pool_.start([this] { renderPending(); });
}

void FrameProvider::setCacheLimitKiB(qsizetype kib) {
  std::lock_guard lock(mutex_);
  cache_.setMaxCost(kib);
}

int FrameProvider::cachedFrames() const {
  std::lock_guard lock(mutex_);
  return int(cache_.count());
}

void FrameProvider::renderPending() {
  for (;;) {
    std::shared_ptr<SequenceRenderer> renderer;
    std::int64_t frame = 0;
    std::uint64_t generation = 0;
    {
      std::lock_guard lock(mutex_);
      if (!pending_ || !renderer_) {
        running_ = false;
        return;
      }
      frame = *pending_;
      pending_.reset();
      renderer = renderer_;
      generation = generation_;
    }
    if (!renderer->showsAnythingAt(timeline::FrameTime{frame})) {
      emit frameReady(frame, QImage());
      continue;
    }
    auto rendered = renderer->renderFrame(timeline::FrameTime{frame});
    if (!rendered) {
      emit frameFailed(frame, QString::fromStdString(rendered.error().message));
      continue;
    }
    QImage image = toQImage(*rendered);
    {
      std::lock_guard lock(mutex_);
      if (generation == generation_)
        cache_.insert(frame, new QImage(image), std::max<qsizetype>(1, image.sizeInBytes() / 1024));
    }
    emit frameReady(frame, image);
  }
}

}  // namespace lanterna::app
