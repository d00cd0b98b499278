// The SQLite wrapper: transactions roll back unless committed, and error codes map to the kinds users act on.
#include "sqlite_database.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

using namespace lanterna;
using namespace lanterna::app;
using lanterna::testing::TempDir;

namespace {

std::int64_t count(Database& db) {
  Statement query(db, "SELECT count(*) FROM t");
  query.step();
  return query.int64(0);
}

}  // namespace

TEST(SqliteDatabase, TransactionRollsBackUnlessCommitted) {
  TempDir dir;
  auto db = Database::open(dir / "t.db", OpenMode::ReadWrite, true);
  db.exec("CREATE TABLE t(x TEXT)");
  {
    Transaction transaction(db);
    Statement(db, "INSERT INTO t VALUES(?)").bind(1, std::string("kept? no")).run();
  }
  EXPECT_EQ(count(db), 0);
  {
    Transaction transaction(db);
    Statement(db, "INSERT INTO t VALUES(?)").bind(1, std::string("kept")).run();
    transaction.commit();
  }
  EXPECT_EQ(count(db), 1);
}

TEST(SqliteDatabase, DiskFullIsReportedAndNothingIsHalfWritten) {
  TempDir dir;
  const auto file = dir / "full.db";
  auto db = Database::open(file, OpenMode::ReadWrite, true);
  db.exec("CREATE TABLE t(x BLOB); INSERT INTO t VALUES('first')");
  // A page limit makes SQLite answer SQLITE_FULL exactly as a full disk would.
  Statement pages(db, "PRAGMA page_count");
  pages.step();
  db.exec("PRAGMA max_page_count = " + std::to_string(pages.int64(0) + 2));
  try {
    Transaction transaction(db);
    Statement insert(db, "INSERT INTO t VALUES(?)");
    for (int i = 0; i < 50; ++i) {
      insert.bind(1, std::string(4000, 'x')).run();
      insert.reset();
    }
    transaction.commit();
    FAIL() << "expected SQLITE_FULL";
  } catch (const SqliteError& e) {
    const Error error = toError(e, file, "save");
    EXPECT_EQ(error.kind, ErrorKind::DiskFull);
    EXPECT_NE(error.message.find("full.db"), std::string::npos);
  }
  EXPECT_EQ(count(db), 1);
}

TEST(SqliteDatabase, ReadOnlyWritesAreRefused) {
  TempDir dir;
  const auto file = dir / "ro.db";
  Database::open(file, OpenMode::ReadWrite, true).exec("CREATE TABLE t(x)");
  auto db = Database::open(file, OpenMode::ReadOnly, false);
  EXPECT_TRUE(db.readOnly());
  try {
    db.exec("INSERT INTO t VALUES(1)");
    FAIL() << "expected SQLITE_READONLY";
  } catch (const SqliteError& e) {
    EXPECT_EQ(toError(e, file, "save").kind, ErrorKind::NoWriteAccess);
  }
}

TEST(SqliteDatabase, BadSqlNamesTheProblem) {
  TempDir dir;
  auto db = Database::open(dir / "x.db", OpenMode::ReadWrite, true);
  try {
    Statement(db, "SELECT * FROM nowhere");
    FAIL() << "expected an error";
  } catch (const SqliteError& e) {
    EXPECT_NE(std::string(e.what()).find("nowhere"), std::string::npos);
  }
}
