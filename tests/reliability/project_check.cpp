#include "project_check.h"

#include <sqlite3.h>

#include <QCryptographicHash>
#include <QFile>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "lanterna/app/project_store.h"

namespace lanterna::testing {
namespace fs = std::filesystem;

void recordDriverOutput(const std::string& output, ProjectExpectations& expected) {
  // Only whole lines count: a line cut by the kill was never reported.
  std::istringstream lines(output.substr(0, output.rfind('\n') + 1));
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string verb;
    std::int64_t a = 0, b = 0;
    words >> verb >> a >> b;
    if (verb == "saved") expected.savedEdit = std::max<int>(expected.savedEdit, static_cast<int>(a));
    if (verb == "imported") expected.imported.insert(a);
    if (verb == "running") expected.running.insert(a);
    if (verb == "done") expected.done[a] = b;
  }
}

std::string integrityCheck(const fs::path& file) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open";
  }
  std::string result = "no answer";
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW)
    result = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return result;
}

namespace {

std::string sha256Of(const fs::path& file) {
  QFile in(QString::fromStdString(file.string()));
  if (!in.open(QIODevice::ReadOnly)) return {};
  QCryptographicHash hash(QCryptographicHash::Sha256);
  hash.addData(&in);
  return hash.result().toHex().toStdString();
}

std::string checkAssets(const app::ProjectStore& store, const ProjectExpectations& expected) {
  auto assets = store.assets();
  if (!assets) return "assets(): " + assets.error().message;
  std::set<std::int64_t> present;
  for (const auto& asset : *assets) {
    present.insert(asset.id);
    const fs::path file = store.file().parent_path() / asset.path;
    if (!fs::exists(file)) return "asset " + std::to_string(asset.id) + " has no file " + asset.path;
    if (static_cast<std::int64_t>(fs::file_size(file)) != asset.sizeBytes)
      return "asset " + std::to_string(asset.id) + " file has the wrong size";
    if (sha256Of(file) != asset.sha256) return "asset " + std::to_string(asset.id) + " file is not its bytes";
  }
  for (const std::int64_t id : expected.imported)
    if (!present.count(id)) return "imported asset " + std::to_string(id) + " is missing";
  return {};
}

std::string checkHistory(const app::ProjectStore& store, const ProjectExpectations& expected) {
  auto history = store.listGenerations();
  if (!history) return "listGenerations(): " + history.error().message;
  std::map<std::int64_t, app::GenerationRecord> byId;
  for (const auto& record : *history) {
    if (record.status == app::GenerationStatus::Queued || record.status == app::GenerationStatus::Running)
      return "generation " + std::to_string(record.id) + " is still " + app::generationStatusName(record.status);
    byId[record.id] = record;
  }
  for (const auto& [id, asset] : expected.done) {
    auto found = byId.find(id);
    if (found == byId.end() || found->second.status != app::GenerationStatus::Done)
      return "generation " + std::to_string(id) + " was reported done but is not";
    if (found->second.outputs != std::vector<std::int64_t>{asset})
      return "generation " + std::to_string(id) + " lost its output";
  }
  for (const std::int64_t id : expected.running) {
    auto found = byId.find(id);
    if (found == byId.end()) return "generation " + std::to_string(id) + " was reported running and vanished";
    if (found->second.status != app::GenerationStatus::Done &&
        found->second.status != app::GenerationStatus::Interrupted)
      return "generation " + std::to_string(id) + " is " + app::generationStatusName(found->second.status) +
             ", expected done or interrupted";
  }
  return {};
}

}  // namespace

std::string checkProject(const fs::path& file, const ProjectExpectations& expected) {
  if (const std::string integrity = integrityCheck(file); integrity != "ok") return "integrity_check: " + integrity;
  auto store = app::ProjectStore::open(file);
  if (!store) return "reopen: " + store.error().message;
  auto snapshot = store->load();
  if (!snapshot) return "load: " + snapshot.error().message;
  const std::string& name = snapshot->settings.name;
  const int edit = name.rfind("edit-", 0) == 0 ? std::atoi(name.c_str() + 5) : 0;
  if (edit < expected.savedEdit)
    return "the document is \"" + name + "\" but edit-" + std::to_string(expected.savedEdit) + " was reported saved";
  if (const std::string problem = timeline::consistencyProblem(*snapshot); !problem.empty())
    return "inconsistent document: " + problem;
  if (std::string problem = checkHistory(*store, expected); !problem.empty()) return problem;
  return checkAssets(*store, expected);
}

}  // namespace lanterna::testing
