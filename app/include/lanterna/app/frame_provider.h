// Renders the frame at the playhead for the viewer, off the UI thread, latest-wins, with a small cache. Usage:
//   FrameProvider provider;
//   provider.setSequence(document.snapshot(), *assetSources(store));   // again after every edit (clears the cache)
//   connect(&provider, &FrameProvider::frameReady, viewer, &Viewer::show);
//   provider.requestFrame(FrameTime{120});   // returns at once; requests made while one renders replace each other
// frameReady carries a null QImage when nothing is on a video track at that frame. A cached frame is delivered
// before requestFrame() returns, so a frame for an older request may still arrive after it: keep the newest.
// Lives on the UI thread; rendering happens on one private worker, and the signals arrive queued.
#pragma once

#include <QCache>
#include <QImage>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <memory>
#include <mutex>
#include <optional>

#include "lanterna/app/sequence_renderer.h"

namespace lanterna::app {

// Copies an Rgba8 frame into a QImage (RGBA8888).
QImage toQImage(const assets::Frame& frame);

class FrameProvider : public QObject {
  Q_OBJECT

 public:
  static constexpr qsizetype kDefaultCacheKiB = 96 * 1024;  // a dozen 1280x720 frames, a few seconds of scrubbing

  explicit FrameProvider(QObject* parent = nullptr);
  ~FrameProvider() override;  // drops pending requests and waits for the frame being rendered

  void setSequence(timeline::DocumentSnapshot snapshot, AssetSources sources, RenderOptions options = {});
  void requestFrame(timeline::FrameTime frame);
  void setCacheLimitKiB(qsizetype kib);
  int cachedFrames() const;

 signals:
  void frameReady(qint64 frame, QImage image);
  void frameFailed(qint64 frame, QString message);

 private:
  void renderPending();

  mutable std::mutex mutex_;
  std::shared_ptr<SequenceRenderer> renderer_;
  std::uint64_t generation_ = 0;  // bumped by setSequence: frames of an older sequence are not cached
  std::optional<std::int64_t> pending_;
  bool running_ = false;
  QCache<qint64, QImage> cache_{kDefaultCacheKiB};  // cost in KiB
  QThreadPool pool_;
};

}  // namespace lanterna::app
