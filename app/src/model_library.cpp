#include "lanterna/app/model_library.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include "lanterna/inference/model_info.h"

namespace lanterna::app {
namespace {

const QStringList kModelFileSuffixes = {"safetensors", "ckpt", "pt", "pth", "bin"};
constexpr int kMaxScanDepth = 4;

bool isDiffusersFolder(const QString& path) { return QFileInfo::exists(path + "/model_index.json"); }

// Walks a folder for model files and diffusers folders, never descending into a diffusers folder's components.
void collect(const QString& folder, int depth, QStringList& out) {
  if (depth > kMaxScanDepth) return;
  const QDir dir(folder);
  for (const QFileInfo& info : dir.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
    if (info.isDir()) {
      if (isDiffusersFolder(info.filePath()))
        out << info.filePath();
      else
        collect(info.filePath(), depth + 1, out);
    } else if (kModelFileSuffixes.contains(info.suffix().toLower())) {
      out << info.filePath();
    }
  }
}

QString modelName(const QString& path) {
  const QFileInfo info(path);
  return info.isDir() ? info.fileName() : info.completeBaseName();
}

}  // namespace

ModelLibrary::ModelLibrary(QStringList folders) {
  for (const QString& folder : folders)
    if (!folder.isEmpty() && !folders_.contains(QDir::cleanPath(folder))) folders_ << QDir::cleanPath(folder);
}

QString ModelLibrary::defaultModelsFolder() {
  return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/Lanterna/models";
}

QString ModelLibrary::bundledModelsFolder() {
  if (const QByteArray env = qgetenv("LANTERNA_RESOURCES"); !env.isEmpty()) return QString(env) + "/models";
  // Installed layout first (bin/../share/lanterna), then the source tree the binary was built from.
  if (QCoreApplication::instance()) {
    const QString installed = QCoreApplication::applicationDirPath() + "/../share/lanterna/models";
    if (QFileInfo::exists(installed)) return QDir::cleanPath(installed);
  }
  return QStringLiteral(LANTERNA_RESOURCES_DIR) + "/models";
}

ModelLibrary ModelLibrary::fromSettings() {
  QStringList folders{bundledModelsFolder(), defaultModelsFolder()};
  QSettings settings("Lanterna", "Lanterna");
  folders << settings.value("models/folders").toStringList();
  return ModelLibrary(folders);
}

Result<QString> ModelLibrary::resolve(const QString& nameOrPath) const {
  if (QFileInfo::exists(nameOrPath)) return QFileInfo(nameOrPath).absoluteFilePath();
  for (const QString& candidate : candidates())
    if (modelName(candidate) == nameOrPath) return candidate;
  std::string searched;
  for (const QString& folder : folders_) searched += "\n  " + folder.toStdString();
  return makeError(ErrorKind::FileNotFound,
                   "No model named \"" + nameOrPath.toStdString() + "\": it is not a file, and none of the models "
                   "folders holds a model of that name. Searched:" + searched,
                   nameOrPath.toStdString());
}

QStringList ModelLibrary::candidates() const {
  QStringList out;
  for (const QString& folder : folders_) {
    if (isDiffusersFolder(folder))
      out << folder;
    else
      collect(folder, 0, out);
  }
  return out;
}

std::vector<ModelEntry> ModelLibrary::scan() const {
  std::vector<ModelEntry> entries;
  const QString bundled = QDir::cleanPath(bundledModelsFolder());
  for (const QString& path : candidates()) {
    ModelEntry entry = describe(path);
    entry.bundled = path.startsWith(bundled);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace lanterna::app

namespace lanterna::app {

ModelEntry ModelLibrary::describe(const QString& path) {
  ModelEntry entry;
  entry.path = path;
  entry.name = modelName(path);
  auto info = inference::inspectModel(path.toStdString());
  if (!info) {
    entry.architecture = "unknown";
    entry.reason = QString::fromStdString(info.error().message);
    return entry;
  }
  entry.architecture = QString::fromLatin1(inference::modelKindName(info->kind));
  for (const auto& component : info->components) entry.components << QString::fromStdString(component);
  entry.dtype = QString::fromStdString(info->dtype);
  entry.sizeBytes = static_cast<qint64>(info->sizeBytes);
  entry.usable = info->usable;
  entry.reason = QString::fromStdString(info->reason);
  return entry;
}

}  // namespace lanterna::app
