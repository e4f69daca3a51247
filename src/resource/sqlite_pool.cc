#include "memsafe/sqlite_pool.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <utility>

#include "../common/posix_io.h"
#include "../secure/random.h"
#include "memsafe/log.h"
#include "memsafe/secure_file.h"

namespace memsafe {
namespace {

Status SqliteStatus(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int primary = rc & 0xFF;
  StatusCode code = StatusCode::kIoError;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) code = StatusCode::kUnavailable;
  if (primary == SQLITE_CANTOPEN) code = StatusCode::kNotFound;
  if (primary == SQLITE_PERM || primary == SQLITE_READONLY || primary == SQLITE_AUTH) {
    code = StatusCode::kPermissionDenied;
  }
  if (primary == SQLITE_ERROR || primary == SQLITE_MISUSE || primary == SQLITE_RANGE) {
    code = StatusCode::kInvalidArgument;
  }
  if (primary == SQLITE_FULL || primary == SQLITE_NOMEM) code = StatusCode::kResourceExhausted;
  return Status(code, std::move(message));
}

// After these the connection cannot be trusted for the next user.
bool IsFatal(int rc) {
  const int primary = rc & 0xFF;
  return primary == SQLITE_IOERR || primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB ||
         primary == SQLITE_CANTOPEN || primary == SQLITE_FULL;
}

Status CloseDb(sqlite3*& db) {
  if (db == nullptr) return Status::Ok();
  const int rc = sqlite3_close(db);
  if (rc != SQLITE_OK) return SqliteStatus(db, rc, "sqlite3_close");  // db stays open: busy
  db = nullptr;
  return Status::Ok();
}

}  // namespace

SqlitePool::SqlitePool(std::string path, SqlitePoolOptions options, ResourceRegistry& registry)
    : path_(std::move(path)),
      options_(options),
      registry_(registry),
      limiter_(options.max_connections == 0 ? 1 : options.max_connections) {}

Result<std::unique_ptr<SqlitePool>> SqlitePool::Open(std::string path, SqlitePoolOptions options,
                                                     ResourceRegistry& registry) {
  std::unique_ptr<SqlitePool> pool(new SqlitePool(std::move(path), options, registry));
  // Open one connection now: a bad path or a file that is not a database fails here,
  // not at the first checkout.
  Result<Resource<sqlite3*>> first = pool->OpenConnection();
  if (!first.ok()) return first.status();
  std::lock_guard<std::mutex> guard(pool->mutex_);
  pool->idle_.push_back(std::move(first).value());
  ++pool->open_;
  return pool;
}

SqlitePool::~SqlitePool() {
  std::lock_guard<std::mutex> guard(mutex_);
  MEMSAFE_CHECK(open_ == idle_.size(), "SqlitePool destroyed while connections are checked out");
  limiter_.shutdown();
  idle_.clear();  // each Resource closes its connection
}

Result<Resource<sqlite3*>> SqlitePool::OpenConnection() {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteStatus(db, rc, "open " + path_);
    sqlite3_close(db);  // a handle is returned even on failure
    return status;
  }
  Resource<sqlite3*> resource(registry_, "sqlite", path_, db, &CloseDb);
  sqlite3_busy_timeout(db, static_cast<int>(options_.busy_timeout.count()));
  const char* journal =
      options_.journal_mode == JournalMode::kWal ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=DELETE";
  // The pragma returns a row; sqlite3_exec ignores it. Checking the database header
  // here also rejects a file that is not a database.
  const int pragma = sqlite3_exec(db, journal, nullptr, nullptr, nullptr);
  if (pragma != SQLITE_OK) {
    Status status = SqliteStatus(db, pragma, "set journal mode on " + path_);
    (void)resource.close();  // (void): the pragma error is the one to report
    return status;
  }
  return resource;
}

Result<SqlitePool::Connection> SqlitePool::checkout(std::chrono::milliseconds timeout) {
  Result<Limiter::Unit> unit = limiter_.acquire(timeout);
  if (!unit.ok()) {
    if (unit.status().code() == StatusCode::kTimeout) {
      return Status(StatusCode::kTimeout,
                    "SqlitePool: all " + std::to_string(limiter_.limit()) + " connections busy for the whole timeout");
    }
    return unit.status();
  }
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (!idle_.empty()) {
      Resource<sqlite3*> db = std::move(idle_.back());
      idle_.pop_back();
      return Connection(this, std::move(db), std::move(unit).value());
    }
    ++open_;  // reserved: the unit guarantees we stay within max_connections
  }
  Result<Resource<sqlite3*>> db = OpenConnection();
  if (!db.ok()) {
    std::lock_guard<std::mutex> guard(mutex_);
    --open_;
    return db.status();
  }
  return Connection(this, std::move(db).value(), std::move(unit).value());
}

void SqlitePool::Return(Resource<sqlite3*> db, bool broken) noexcept {
  if (!broken && db.is_open() && sqlite3_get_autocommit(db.get()) == 0) {
    // Left inside a transaction: roll it back, or do not hand it to the next user.
    broken = sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK;
  }
  std::lock_guard<std::mutex> guard(mutex_);
  if (broken || !db.is_open()) {
    --open_;
    // The Resource destructor closes the connection and counts a failure, if any.
    return;
  }
  try {
    idle_.push_back(std::move(db));
  } catch (const std::bad_alloc&) {
    --open_;  // no room to keep it: closing it is the safe choice
  }
}

std::size_t SqlitePool::idle_connections() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return idle_.size();
}

std::size_t SqlitePool::open_connections() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return open_;
}

SqlitePool::Connection::~Connection() {
  // Also when the connection is closed already (ResourceRegistry::close_all at exit ran
  // first): the pool still counts it as checked out until told.
  if (pool_ != nullptr) pool_->Return(std::move(db_), broken_);
  // unit_ is released after: a waiter woken by it finds the connection idle.
}

sqlite3* SqlitePool::Connection::get() { return db_.get(); }

Status SqlitePool::Connection::Check(int rc, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  if (IsFatal(rc)) broken_ = true;
  return SqliteStatus(db_.get(), rc, what);
}

Status SqlitePool::Connection::exec(std::string_view sql) {
  const std::string text(sql);
  return Check(sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr), "exec");
}

Result<std::int64_t> SqlitePool::Connection::query_int(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &statement, nullptr);
  if (rc != SQLITE_OK) return Check(rc, "prepare");
  rc = sqlite3_step(statement);
  if (rc != SQLITE_ROW) {
    Status status = rc == SQLITE_DONE ? Status(StatusCode::kNotFound, "query returned no row") : Check(rc, "step");
    sqlite3_finalize(statement);
    return status;
  }
  const std::int64_t value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  return value;
}

namespace {

// The path with its directory resolved (links, "..") and its last component kept; ""
// when the directory does not exist.
std::string ResolvedPath(const std::string& path) {
  const std::string dir = internal::DirectoryOf(path);
  char resolved[PATH_MAX];
  if (::realpath(dir.c_str(), resolved) == nullptr) return {};
  const auto slash = path.find_last_of('/');
  return std::string(resolved) + "/" + (slash == std::string::npos ? path : path.substr(slash + 1));
}

bool SameInode(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

// Whether writing `destination` would write the database `source` or one of the files
// SQLite keeps beside it: the same inode, or the same resolved path.
bool IsSourceOrCompanion(const std::string& source, const std::string& destination) {
  char resolved[PATH_MAX];
  const std::string real_source = ::realpath(source.c_str(), resolved) != nullptr ? resolved : ResolvedPath(source);
  const std::string real_destination = ResolvedPath(destination);
  struct stat destination_info {};
  const bool destination_exists = ::stat(destination.c_str(), &destination_info) == 0;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    const std::string file = real_source + suffix;
    if (!real_destination.empty() && file == real_destination) return true;
    struct stat file_info {};
    if (destination_exists && ::stat(file.c_str(), &file_info) == 0 && SameInode(file_info, destination_info)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Status snapshot_database(const std::string& source, const std::string& destination, SnapshotOptions options) {
  struct stat source_info {};
  if (::stat(source.c_str(), &source_info) != 0) return Status::FromErrno(errno, "snapshot: " + source);
  if (IsSourceOrCompanion(source, destination)) {
    return Status(StatusCode::kInvalidArgument,
                  "snapshot: the destination " + destination + " is the source database or one of its files");
  }
  struct stat destination_info {};
  if (::lstat(destination.c_str(), &destination_info) == 0 &&
      (!options.overwrite || !S_ISREG(destination_info.st_mode))) {
    return Status(StatusCode::kInvalidArgument,
                  "snapshot: " + destination + " exists" +
                      (S_ISREG(destination_info.st_mode) ? " (pass SnapshotOptions{.overwrite = true} to replace it)"
                                                         : " and is not a regular file"));
  }
  Result<std::string> suffix = internal::RandomHex(8);
  if (!suffix.ok()) return suffix.status();
  const std::string temporary = destination + ".tmp-" + *suffix;
  Status status;
  // Created here, owner-only and never wider than the source, so the copy is never
  // readable by anyone the source is not; VACUUM INTO fills an existing empty file.
  // Owner read-write while SQLite writes it; the final mode (the source's owner bits,
  // so never wider) is set before the rename.
  const mode_t mode = source_info.st_mode & 0600;
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::FromErrno(errno, "snapshot: create " + temporary);
  ::close(fd);

  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(source.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    status = SqliteStatus(db, rc, "snapshot: open " + source);
    sqlite3_close(db);
    return status;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* statement = nullptr;
  rc = sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &statement, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(statement, 1, temporary.c_str(), -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_step(statement);
  if (rc != SQLITE_DONE) status = SqliteStatus(db, rc, "snapshot: VACUUM INTO");
  sqlite3_finalize(statement);
  const int close_rc = sqlite3_close(db);
  if (status.ok() && close_rc != SQLITE_OK) status = SqliteStatus(nullptr, close_rc, "snapshot: close");

  if (status.ok() && ::chmod(temporary.c_str(), mode) != 0)
    status = Status::FromErrno(errno, "snapshot: chmod " + temporary);
  if (status.ok()) status = internal::SyncPath(temporary, O_RDONLY);
  if (status.ok()) {
    // Without overwrite, a file that appeared at the destination meanwhile is kept.
    const unsigned flags = options.overwrite ? 0 : RENAME_NOREPLACE;
    int renamed = ::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, destination.c_str(), flags);
    if (renamed != 0 && errno == EINVAL && flags != 0) {
      // A file system without RENAME_NOREPLACE: link() refuses an existing name too.
      renamed = ::link(temporary.c_str(), destination.c_str());
      if (renamed == 0) (void)::unlink(temporary.c_str());  // the copy is in place; a leftover name is harmless
    }
    if (renamed != 0) {
      status = errno == EEXIST ? Status(StatusCode::kInvalidArgument, "snapshot: " + destination + " exists")
                               : Status::FromErrno(errno, "snapshot: rename to " + destination);
    }
  }
  if (status.ok()) return internal::SyncPath(internal::DirectoryOf(destination), O_RDONLY | O_DIRECTORY);

  // The temporary is a plaintext copy of the data: wipe it, do not just unlink it.
  struct stat info;
  if (::lstat(temporary.c_str(), &info) == 0) {
    Status wiped = wipe_file(temporary);
    if (!wiped.ok()) Log(LogLevel::kError, "snapshot: could not wipe " + temporary + ": " + wiped.message());
  }
  return status;
}

}  // namespace memsafe
