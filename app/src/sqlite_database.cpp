#include "sqlite_database.h"

#include <sqlite3.h>

#include <string>

namespace lanterna::app {

Error toError(const SqliteError& error, const std::filesystem::path& file, const std::string& doing) {
  const std::string prefix = "Cannot " + doing + " \"" + file.string() + "\": ";
  switch (error.code()) {
    case SQLITE_FULL:
      return makeError(ErrorKind::DiskFull, prefix + "the disk is full. Nothing was written.", file);
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return makeError(ErrorKind::NoWriteAccess, prefix + "the project is read-only. Nothing was written.", file);
    case SQLITE_CANTOPEN:
      return makeError(std::filesystem::exists(file) ? ErrorKind::NoReadAccess : ErrorKind::FileNotFound,
                       prefix + error.what() + ".", file);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return makeError(ErrorKind::FormatIncorrect,
                       prefix + "the file is not a Lanterna project or is damaged (" + error.what() + ").", file);
    case SQLITE_NOMEM: return makeError(ErrorKind::OutOfMemory, prefix + "out of memory.", file);
    case SQLITE_IOERR: return makeError(ErrorKind::NoWriteAccess, prefix + "disk I/O error (" + error.what() + ").", file);
    default: return makeError(ErrorKind::Internal, prefix + error.what() + ".", file);
  }
}

Database Database::open(const std::filesystem::path& file, OpenMode mode, bool create) {
  int flags = mode == OpenMode::ReadWrite ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
  if (create) flags |= SQLITE_OPEN_CREATE;
  std::string name = file.string();
  if (mode == OpenMode::Immutable) {
    std::string escaped;
    for (const char c : name) escaped += c == '%' ? "%25" : c == '?' ? "%3f" : c == '#' ? "%23" : std::string(1, c);
    name = "file:" + escaped + "?immutable=1";
    flags |= SQLITE_OPEN_URI;
  }
  sqlite3* handle = nullptr;
  const int code = sqlite3_open_v2(name.c_str(), &handle, flags, nullptr);
  Database db(handle);
  if (code != SQLITE_OK) db.fail(code);
  sqlite3_extended_result_codes(handle, 0);
  sqlite3_busy_timeout(handle, 2000);
  return db;
}

Database::Database(Database&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close_v2(db_);
    db_ = other.db_;
    other.db_ = nullptr;
  }
  return *this;
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

void Database::fail(int code) const {
  const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
  throw SqliteError(code & 0xff, message);
}

void Database::exec(const std::string& sql) {
  char* message = nullptr;
  const int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (code != SQLITE_OK) {
    const std::string text = message ? message : sqlite3_errstr(code);
    sqlite3_free(message);
    throw SqliteError(code & 0xff, text);
  }
}

std::int64_t Database::lastInsertId() const { return sqlite3_last_insert_rowid(db_); }

int Database::userVersion() {
  Statement query(*this, "PRAGMA user_version");
  query.step();
  return static_cast<int>(query.int64(0));
}

void Database::setUserVersion(int version) { exec("PRAGMA user_version = " + std::to_string(version)); }

bool Database::readOnly() const { return sqlite3_db_readonly(db_, "main") == 1; }

Statement::Statement(Database& db, const std::string& sql) : db_(db) {
  const int code = sqlite3_prepare_v2(db.handle(), sql.c_str(), static_cast<int>(sql.size()), &statement_, nullptr);
  if (code != SQLITE_OK) db.fail(code);
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement& Statement::bind(int index, std::int64_t value) {
  if (int code = sqlite3_bind_int64(statement_, index, value); code != SQLITE_OK) db_.fail(code);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (int code = sqlite3_bind_double(statement_, index, value); code != SQLITE_OK) db_.fail(code);
  return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
  const int code = sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  if (code != SQLITE_OK) db_.fail(code);
  return *this;
}

Statement& Statement::bindNull(int index) {
  if (int code = sqlite3_bind_null(statement_, index); code != SQLITE_OK) db_.fail(code);
  return *this;
}

bool Statement::step() {
  const int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  db_.fail(code);
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(statement_, column); }
double Statement::real(int column) const { return sqlite3_column_double(statement_, column); }
bool Statement::isNull(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  return data ? std::string(data, sqlite3_column_bytes(statement_, column)) : std::string{};
}

Transaction::Transaction(Database& db, Kind kind) : db_(db) {
  db_.exec(kind == Kind::Write ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (const SqliteError&) {
    // SQLite already rolled back on its own (e.g. after SQLITE_FULL); nothing left to undo.
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace lanterna::app
