// Where models live and how a name becomes a path. Usage:
//   ModelLibrary library = ModelLibrary::fromSettings();            // default folder + preferences + bundled
//   auto path = library.resolve("toyworld");                         // Result<QString>
//   for (const ModelEntry& e : library.scan()) ...                   // every model file with its detected kind
// Folders: the bundled models (resources/models), the user's default models folder, and extra folders from
// preferences. A ComfyUI `models/` tree is searched as it is (checkpoints/, vae/, diffusers/, ...).
// Immutable after construction; scan() reads the disk and may be called from a worker thread.
#pragma once

#include <QString>
#include <QStringList>

#include <vector>

#include "lanterna/result.h"

namespace lanterna::app {

struct ModelEntry {
  QString name;          // what `--model NAME` accepts: file stem or folder name
  QString path;
  bool bundled = false;
  QString architecture;  // e.g. "sd1", "sd2-v", "vae", "taesd", "unknown"
  QStringList components;
  QString dtype;
  qint64 sizeBytes = 0;
  bool usable = false;
  QString reason;        // why not usable
};

class ModelLibrary {
 public:
  explicit ModelLibrary(QStringList folders);
  // Bundled folder + default user folder + QSettings "models/folders".
  static ModelLibrary fromSettings();
  static QString defaultModelsFolder();   // e.g. ~/.local/share/Lanterna/models
  static QString bundledModelsFolder();   // the demo models shipped with Lanterna

  const QStringList& folders() const { return folders_; }
  // A path that exists is returned as it is; otherwise a model of that name in the folders (bundled first).
  Result<QString> resolve(const QString& nameOrPath) const;
  // Candidate model files and diffusers folders, without inspecting them.
  QStringList candidates() const;
  std::vector<ModelEntry> scan() const;
  static ModelEntry describe(const QString& path);

 private:
  QStringList folders_;
};

}  // namespace lanterna::app
