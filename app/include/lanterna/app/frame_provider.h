// Renders the frame at the playhead for the viewer, off the UI thread, latest-wins. Usage:
//   FrameProvider provider;
//   provider.setSequence(document.snapshot(), *assetSources(store));   // again after every edit
//   connect(&provider, &FrameProvider::frameReady, viewer, &Viewer::show);
//   provider.requestFrame(FrameTime{120});   // returns at once; requests made while one renders replace each other
// Lives on the UI thread; rendering happens on one private worker, and the signals arrive queued.
#pragma once

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
  explicit FrameProvider(QObject* parent = nullptr);
  ~FrameProvider() override;  // drops pending requests and waits for the frame being rendered

  void setSequence(timeline::DocumentSnapshot snapshot, AssetSources sources, RenderOptions options = {});
  void requestFrame(timeline::FrameTime frame);

 signals:
  void frameReady(qint64 frame, QImage image);
  void frameFailed(qint64 frame, QString message);

 private:
  void renderPending();

  std::mutex mutex_;
  std::shared_ptr<SequenceRenderer> renderer_;
  std::optional<std::int64_t> pending_;
  bool running_ = false;
  QThreadPool pool_;
};

}  // namespace lanterna::app
