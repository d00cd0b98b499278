#include "waveform_provider.h"

#include <QFutureWatcher>
#include <QPointer>

#include "lanterna/app/project_store.h"
#include "lanterna/app/thumbnail_cache.h"
#include "lanterna/app/waveform_cache.h"

namespace lanterna::ui {

std::shared_ptr<const app::WaveformSummary> WaveformProvider::waveform(const app::ProjectStore* store,
                                                                       timeline::AssetId asset) {
  if (!store || asset == 0) return nullptr;
  const Key key{store->file().string(), asset};
  Entry& entry = entries_[key];
  if (entry.started) return entry.summary;
  entry.started = true;
  const auto record = store->asset(asset);
  if (!record) return nullptr;
  const auto media = std::filesystem::absolute(store->file()).parent_path() / record->path;
  const app::WaveformCache cache(app::ThumbnailCache::folderFor(*store));
  auto* watcher = new QFutureWatcher<app::CachedWaveform>(this);
  connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, key] {
    entries_[key].summary = watcher->result().summary;
    watcher->deleteLater();
    emit ready();
  });
  watcher->setFuture(cache.waveformAsync(*record, media));
  return nullptr;
}

}  // namespace lanterna::ui
