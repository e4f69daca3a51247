#include "memsafe/sqlite_pool.h"

#include <dirent.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.h"

namespace memsafe {
namespace {

using std::chrono::milliseconds;
using testing::TempDir;

std::unique_ptr<SqlitePool> OpenPool(const std::string& path, ResourceRegistry& registry,
                                     SqlitePoolOptions options = {}) {
  auto pool = SqlitePool::Open(path, options, registry);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return std::move(pool).value();
}

// The first column of the first row of `sql`, as text ("" when there is none).
std::string QueryText(sqlite3* db, const char* sql) {
  sqlite3_stmt* statement = nullptr;
  std::string value;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW) {
    if (const unsigned char* text = sqlite3_column_text(statement, 0)) {
      value = reinterpret_cast<const char*>(text);
    }
  }
  sqlite3_finalize(statement);
  return value;
}

std::vector<std::string> Entries(const std::string& directory) {
  std::vector<std::string> names;
  if (DIR* dir = opendir(directory.c_str())) {
    while (dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(dir);
  }
  return names;
}

// A pool on `path` whose database already ran `schema`.
std::unique_ptr<SqlitePool> PoolWithSchema(const std::string& path, ResourceRegistry& registry, const char* schema) {
  auto pool = OpenPool(path, registry);
  Result<SqlitePool::Connection> db = pool->checkout(milliseconds(1000));
  EXPECT_TRUE(db.ok() && db->exec(schema).ok());
  return pool;
}

// The temporaries snapshot_database left in `directory` (there should be none).
std::vector<std::string> Temporaries(const std::string& directory) {
  std::vector<std::string> found;
  for (const std::string& name : Entries(directory)) {
    if (name.find(".tmp-") != std::string::npos) found.push_back(name);
  }
  return found;
}

TEST(SqlitePoolTest, ConnectionsGoBackToThePoolAndAreReused) {
  TempDir dir;
  ResourceRegistry registry;
  {
    auto pool = OpenPool(dir / "app.db", registry);
    for (int i = 0; i < 5; ++i) {
      Result<SqlitePool::Connection> db = pool->checkout(milliseconds(1000));
      ASSERT_TRUE(db.ok()) << db.status();
      ASSERT_TRUE(db->exec("CREATE TABLE IF NOT EXISTS t(x INTEGER)").ok());
      ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1)").ok());
    }
    EXPECT_EQ(pool->open_connections(), 1u);
    EXPECT_EQ(pool->idle_connections(), 1u);
    Result<SqlitePool::Connection> db = pool->checkout(milliseconds(1000));
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(*db->query_int("SELECT count(*) FROM t"), 5);
  }
  EXPECT_EQ(registry.snapshot().active(), 0u);
  EXPECT_EQ(registry.snapshot().cleanup_failed, 0u);
}

TEST(SqlitePoolTest, ExhaustionTimesOutInsteadOfHanging) {
  TempDir dir;
  ResourceRegistry registry;
  auto pool = OpenPool(dir / "app.db", registry, {.max_connections = 2});
  Result<SqlitePool::Connection> a = pool->checkout(milliseconds(1000));
  Result<SqlitePool::Connection> b = pool->checkout(milliseconds(1000));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(pool->open_connections(), 2u);
  Result<SqlitePool::Connection> c = pool->checkout(milliseconds(50));
  EXPECT_EQ(c.status().code(), StatusCode::kTimeout);
  EXPECT_EQ(pool->open_connections(), 2u);  // never more than the limit
}

TEST(SqlitePoolTest, WaitersGetAConnectionWhenOneIsReturned) {
  TempDir dir;
  ResourceRegistry registry;
  auto pool = OpenPool(dir / "app.db", registry, {.max_connections = 2});
  {
    Result<SqlitePool::Connection> db = pool->checkout(milliseconds(1000));
    ASSERT_TRUE(db->exec("CREATE TABLE t(x INTEGER)").ok());
  }
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        Result<SqlitePool::Connection> db = pool->checkout(milliseconds(60000));
        if (!db.ok() || !db->exec("INSERT INTO t VALUES (1)").ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(pool->open_connections(), 2u);
  Result<SqlitePool::Connection> db = pool->checkout(milliseconds(1000));
  EXPECT_EQ(*db->query_int("SELECT count(*) FROM t"), 120);
}

TEST(SqlitePoolTest, BrokenConnectionIsDiscarded) {
  TempDir dir;
  ResourceRegistry registry;
  auto pool = OpenPool(dir / "app.db", registry);
  {
    Result<SqlitePool::Connection> db = pool->checkout(milliseconds(1000));
    db->mark_broken();
  }
  EXPECT_EQ(pool->open_connections(), 0u);
  EXPECT_EQ(registry.snapshot().active(), 0u);
  Result<SqlitePool::Connection> fresh = pool->checkout(milliseconds(1000));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(pool->open_connections(), 1u);
}

TEST(SqlitePoolTest, AnOpenTransactionIsRolledBackOnReturn) {
  TempDir dir;
  ResourceRegistry registry;
  auto pool = OpenPool(dir / "app.db", registry, {.max_connections = 1});
  {
    Result<SqlitePool::Connection> db = pool->checkout(milliseconds(1000));
    ASSERT_TRUE(db->exec("CREATE TABLE t(x INTEGER)").ok());
    ASSERT_TRUE(db->exec("BEGIN; INSERT INTO t VALUES (1);").ok());
  }  // returned mid-transaction
  Result<SqlitePool::Connection> db = pool->checkout(milliseconds(1000));
  EXPECT_EQ(*db->query_int("SELECT count(*) FROM t"), 0);
}

TEST(SqlitePoolTest, JournalModeIsConfigurable) {
  TempDir dir;
  ResourceRegistry registry;
  for (JournalMode mode : {JournalMode::kWal, JournalMode::kDelete}) {
    const std::string path = dir / (mode == JournalMode::kWal ? "wal.db" : "delete.db");
    auto pool = OpenPool(path, registry, {.journal_mode = mode});
    Result<SqlitePool::Connection> db = pool->checkout(milliseconds(1000));
    EXPECT_EQ(QueryText(db->get(), "PRAGMA journal_mode"), mode == JournalMode::kWal ? "wal" : "delete");
  }
}

TEST(SqlitePoolTest, AFileThatIsNotADatabaseFailsAtOpen) {
  TempDir dir;
  ResourceRegistry registry;
  testing::WriteFile(dir / "junk.db", std::string(4096, 'j'));
  auto pool = SqlitePool::Open(dir / "junk.db", {}, registry);
  EXPECT_FALSE(pool.ok());
  EXPECT_EQ(registry.snapshot().active(), 0u);
}

TEST(SqlitePoolTest, ClosingTheDefaultRegistryAtExitBeforeAStaticPoolIsSafe) {
  TempDir dir;
  const std::string path = dir / "static.db";
  EXPECT_EXIT(
      {
        // Statics built before CloseDefaultAtExit: its close_all runs first at exit,
        // then the connection's and the pool's destructors.
        static std::unique_ptr<SqlitePool> pool = std::move(SqlitePool::Open(path)).value();
        static SqlitePool::Connection connection = std::move(pool->checkout(milliseconds(1000))).value();
        (void)connection.exec("CREATE TABLE t(x)");  // (void): the test is about exit, not this statement
        ResourceRegistry::CloseDefaultAtExit();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(SnapshotDatabaseTest, SnapshotWhileAnotherThreadWritesIsConsistent) {
  TempDir dir;
  ResourceRegistry registry;
  const std::string source = dir / "live.db";
  auto pool = PoolWithSchema(source, registry, "CREATE TABLE t(batch INTEGER, x INTEGER)");
  std::atomic<bool> stop{false};
  std::atomic<int> batches{0};
  std::thread writer([&] {
    Result<SqlitePool::Connection> db = pool->checkout(milliseconds(60000));
    for (int batch = 0; !stop.load(); ++batch) {
      // Each transaction adds ten rows: any committed state holds a multiple of ten.
      std::string sql = "BEGIN;";
      for (int i = 0; i < 10; ++i) {
        sql += "INSERT INTO t VALUES (" + std::to_string(batch) + "," + std::to_string(i) + ");";
      }
      sql += "COMMIT;";
      if (!db->exec(sql).ok()) break;
      ++batches;
    }
  });
  while (batches.load() < 20) std::this_thread::yield();
  Status status = snapshot_database(source, dir / "snapshot.db");
  stop = true;
  writer.join();
  ASSERT_TRUE(status.ok()) << status;

  sqlite3* copy = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir / "snapshot.db").c_str(), &copy, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryText(copy, "PRAGMA integrity_check"), "ok");
  const std::int64_t rows = std::stoll(QueryText(copy, "SELECT count(*) FROM t"));
  sqlite3_close(copy);
  EXPECT_GE(rows, 200);
  EXPECT_EQ(rows % 10, 0) << "the snapshot caught a transaction half-way";
  EXPECT_TRUE(Temporaries(dir.path()).empty());
}

TEST(SnapshotDatabaseTest, SnapshotIsOwnerOnlyAndNeverWiderThanItsSource) {
  TempDir dir;
  ResourceRegistry registry;
  const std::string source = dir / "live.db";
  PoolWithSchema(source, registry, "CREATE TABLE t(x); INSERT INTO t VALUES ('secret row');");
  const mode_t old_umask = ::umask(0);  // the widest the process would create
  for (mode_t source_mode : {mode_t{0600}, mode_t{0644}, mode_t{0400}}) {
    ASSERT_EQ(::chmod(source.c_str(), source_mode), 0);
    const std::string copy = dir / ("copy-" + std::to_string(source_mode) + ".db");
    ASSERT_TRUE(snapshot_database(source, copy).ok());
    struct stat info {};
    ASSERT_EQ(::stat(copy.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, source_mode & 0600) << std::oct << source_mode;
  }
  ::umask(old_umask);
}

TEST(SnapshotDatabaseTest, SnapshotOntoItsSourceOrItsFilesIsRefusedAndLosesNoRow) {
  TempDir dir;
  ResourceRegistry registry;
  const std::string source = dir / "live.db";
  auto pool = PoolWithSchema(source, registry, "CREATE TABLE t(x)");
  {
    Result<SqlitePool::Connection> db = pool->checkout(milliseconds(1000));
    ASSERT_TRUE(db.ok());
    for (int i = 0; i < 103; ++i) ASSERT_TRUE(db->exec("INSERT INTO t VALUES (" + std::to_string(i) + ")").ok());
  }
  ASSERT_EQ(::symlink(source.c_str(), (dir / "alias.db").c_str()), 0);
  ASSERT_EQ(::mkdir((dir / "sub").c_str(), 0700), 0);
  for (const std::string& destination :
       {source, dir / "alias.db", dir / "sub/../live.db", source + "-wal", source + "-shm", source + "-journal"}) {
    const Status status = snapshot_database(source, destination, {.overwrite = true});
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << destination << ": " << status;
  }
  pool.reset();
  sqlite3* fresh = nullptr;
  ASSERT_EQ(sqlite3_open_v2(source.c_str(), &fresh, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryText(fresh, "SELECT count(*) FROM t"), "103");
  sqlite3_close(fresh);
  EXPECT_TRUE(Temporaries(dir.path()).empty());
}

TEST(SnapshotDatabaseTest, AnExistingDestinationIsKeptUnlessOverwriteIsAsked) {
  TempDir dir;
  ResourceRegistry registry;
  const std::string source = dir / "live.db";
  PoolWithSchema(source, registry, "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
  testing::WriteFile(dir / "report.txt", "someone else's file");
  EXPECT_EQ(snapshot_database(source, dir / "report.txt").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(testing::ReadFile(dir / "report.txt"), "someone else's file");
  ASSERT_TRUE(snapshot_database(source, dir / "report.txt", {.overwrite = true}).ok());
  EXPECT_NE(testing::ReadFile(dir / "report.txt"), "someone else's file");
  EXPECT_TRUE(Temporaries(dir.path()).empty());
}

TEST(SnapshotDatabaseTest, AFailedSnapshotLeavesNoTemporaryBehind) {
  TempDir dir;
  ResourceRegistry registry;
  const std::string source = dir / "live.db";
  // The pool closes at once; the database file stays behind for the snapshot.
  PoolWithSchema(source, registry, "CREATE TABLE t(x); INSERT INTO t VALUES ('secret row');");
  // The destination is a non-empty directory: the copy succeeds, the rename cannot.
  ASSERT_EQ(mkdir((dir / "dest").c_str(), 0700), 0);
  testing::WriteFile(dir / "dest/keep", "x");
  Status status = snapshot_database(source, dir / "dest");
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(Temporaries(dir.path()).empty());
  EXPECT_EQ(snapshot_database(dir / "missing.db", dir / "copy.db").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace memsafe
