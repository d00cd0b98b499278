// A small RAII layer over the sqlite3 C API: Database, Statement, Transaction. Failures throw SqliteError;
// ProjectStore catches it at its public edge and turns it into a lanterna::Error naming the file.
//   Transaction transaction(db);                                  // BEGIN IMMEDIATE
//   Statement(db, "INSERT INTO tracks(id) VALUES(?)").bind(1, id).run();
//   transaction.commit();                                         // otherwise rolled back on scope exit
// One Database per thread at a time (SQLite's default serialized mode makes misuse safe, not fast).
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "lanterna/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace lanterna::app {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }  // the primary result code (SQLITE_FULL, SQLITE_NOTADB, …)

 private:
  int code_;
};

// Maps SQLite's result codes onto the kinds users act on; `doing` reads as "Cannot <doing> "file": …".
Error toError(const SqliteError& error, const std::filesystem::path& file, const std::string& doing);

// Immutable: read-only media. SQLite takes no locks and needs no -shm file (a WAL-mode project on a read-only volume
// cannot be opened otherwise); only correct when nothing can be writing the file.
enum class OpenMode { ReadWrite, ReadOnly, Immutable };

class Database {
 public:
  static Database open(const std::filesystem::path& file, OpenMode mode, bool create);
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  ~Database();

  void exec(const std::string& sql);
  std::int64_t lastInsertId() const;
  int userVersion();
  void setUserVersion(int version);
  bool readOnly() const;
  sqlite3* handle() const { return db_; }
  [[noreturn]] void fail(int code) const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(Database& db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQL.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, const std::string& value);
  Statement& bindNull(int index);

  bool step();  // true while there is a row
  void run();   // steps to the end
  void reset();

  // Columns are 0-based, as in sqlite3_column_*.
  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  bool isNull(int column) const;

 private:
  Database& db_;
  sqlite3_stmt* statement_ = nullptr;
};

// BEGIN now, ROLLBACK on scope exit unless commit() ran: nothing is ever half-written.
// Writers take the write lock up front (IMMEDIATE) so they never fail halfway on a busy database.
class Transaction {
 public:
  enum class Kind { Write, Read };
  explicit Transaction(Database& db, Kind kind = Kind::Write);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace lanterna::app
