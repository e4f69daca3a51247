// memsafe/sqlite_pool.h: a bounded pool of SQLite connections, and consistent
// point-in-time snapshots of a database.
//
// SqlitePool opens connections lazily, up to max_connections, and never more: a
// checkout that finds none free waits up to its timeout and then fails with kTimeout
// instead of opening more. A checked-out Connection goes back to the pool when it
// leaves scope; one that hit a fatal error (I/O error, corruption, "not a database"),
// or that its user marked broken, is closed and discarded instead. Every connection
// is a Resource registered as kind "sqlite".
//
// snapshot_database(source, destination) copies a live database as of one instant:
// VACUUM INTO from a read-only connection writes a temporary file next to the
// destination, created owner-only (0600, never more than the source allows), which is
// synced and renamed into place atomically; on failure the temporary (a plaintext copy
// of the data) is wiped with memsafe::wipe_file. It refuses a destination that is the
// source itself (by path, link or inode) or one of its -wal, -shm or -journal files,
// and an existing destination unless SnapshotOptions::overwrite says so.
//
// Example:
//
//   auto pool = memsafe::SqlitePool::Open("app.db", {.max_connections = 4});
//   if (!pool.ok()) return pool.status();
//   {
//     auto db = (*pool)->checkout(std::chrono::seconds(1));
//     if (!db.ok()) return db.status();                 // kTimeout: all 4 busy
//     memsafe::Status s = db->exec("INSERT INTO log VALUES ('started')");
//   }                                                   // back in the pool here
//   memsafe::Status s = memsafe::snapshot_database("app.db", "backup/app.db");
//
// Thread-safety: SqlitePool is thread-safe. A Connection is used by one thread at a
// time (connections are opened with SQLITE_OPEN_NOMUTEX).
//
// Failure: SQLite errors come back as a Status whose message is SQLite's. Destroying
// the pool while connections are checked out is misuse and aborts.
#ifndef MEMSAFE_SQLITE_POOL_H_
#define MEMSAFE_SQLITE_POOL_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memsafe/limiter.h"
#include "memsafe/resource.h"
#include "memsafe/resource_registry.h"
#include "memsafe/status.h"

struct sqlite3;

namespace memsafe {

enum class JournalMode { kWal, kDelete };

struct SqlitePoolOptions {
  std::size_t max_connections = 4;
  JournalMode journal_mode = JournalMode::kWal;
  std::chrono::milliseconds busy_timeout{5000};  // SQLite waits this long for locks
};

class SqlitePool {
 public:
  class Connection {
   public:
    // A moved-from Connection belongs to no pool: its destructor tells the pool nothing.
    Connection(Connection&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          db_(std::move(other.db_)),
          unit_(std::move(other.unit_)),
          broken_(other.broken_) {}
    Connection& operator=(Connection&&) noexcept = delete;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    sqlite3* get();
    // Runs one or more SQL statements. A fatal error marks the connection broken.
    Status exec(std::string_view sql);
    // The first column of the first row of `sql`, as an integer.
    Result<std::int64_t> query_int(std::string_view sql);
    // Do not return this connection to the pool.
    void mark_broken() noexcept { broken_ = true; }
    bool broken() const noexcept { return broken_; }

   private:
    friend class SqlitePool;
    Connection(SqlitePool* pool, Resource<sqlite3*> db, Limiter::Unit unit) noexcept
        : pool_(pool), db_(std::move(db)), unit_(std::move(unit)) {}
    Status Check(int rc, std::string_view what);

    SqlitePool* pool_;
    Resource<sqlite3*> db_;
    Limiter::Unit unit_;
    bool broken_ = false;
  };

  static Result<std::unique_ptr<SqlitePool>> Open(std::string path, SqlitePoolOptions options = {},
                                                  ResourceRegistry& registry = ResourceRegistry::Default());
  ~SqlitePool();
  SqlitePool(const SqlitePool&) = delete;
  SqlitePool& operator=(const SqlitePool&) = delete;

  Result<Connection> checkout(std::chrono::milliseconds timeout);

  std::size_t idle_connections() const;
  std::size_t open_connections() const;  // idle plus checked out
  const std::string& path() const noexcept { return path_; }

 private:
  SqlitePool(std::string path, SqlitePoolOptions options, ResourceRegistry& registry);
  Result<Resource<sqlite3*>> OpenConnection();
  void Return(Resource<sqlite3*> db, bool broken) noexcept;

  std::string path_;
  SqlitePoolOptions options_;
  ResourceRegistry& registry_;
  Limiter limiter_;
  mutable std::mutex mutex_;
  std::vector<Resource<sqlite3*>> idle_;
  std::size_t open_ = 0;
};

struct SnapshotOptions {
  bool overwrite = false;  // replace an existing destination file
};

// kInvalidArgument for a destination that is the source or one of its companion files,
// or that exists (without overwrite); SQLite's and the system's errors otherwise.
Status snapshot_database(const std::string& source, const std::string& destination, SnapshotOptions options = {});

}  // namespace memsafe

#endif  // MEMSAFE_SQLITE_POOL_H_
