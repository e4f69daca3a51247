// memsafe/locked_memory.h: keeping secrets out of swap and core dumps.
//
// lock() pins the pages under [data, data + size) in RAM (mlock) and excludes them
// from core dumps (MADV_DONTDUMP). unlock() zeroes the range first, then releases
// the pages. Locking is a hardening, not a precondition: when the system refuses it
// (RLIMIT_MEMLOCK exhausted, no permission) the result says kDegraded and the
// program goes on with unlocked memory; only a real error (an invalid range) is
// kError.
//
// mlock does not nest: one munlock releases a page however often it was locked, so a
// naive unlock of one object would unlock its neighbour on the same page. memsafe
// counts locks per page and releases a page only when its last user unlocks it.
//
// Example:
//
//   std::array<unsigned char, 32> key;
//   memsafe::LockResult locked = memsafe::lock(key.data(), key.size());
//   if (locked.degraded()) ReportHardeningLost(locked.status());   // still usable
//   ...
//   memsafe::Status status = memsafe::unlock(key.data(), key.size());  // zeroes first
//
// Thread-safety: lock() and unlock() may be called concurrently from any thread; the
// page bookkeeping is shared by the whole process and guarded by a mutex.
//
// Failure: a null pointer with a non-zero size, or unlocking a range that was never
// locked, is misuse and aborts.
#ifndef MEMSAFE_LOCKED_MEMORY_H_
#define MEMSAFE_LOCKED_MEMORY_H_

#include <cstddef>
#include <utility>

#include "memsafe/status.h"

namespace memsafe {

enum class LockOutcome {
  kLocked,    // every page is locked and excluded from core dumps
  kDegraded,  // the system refused (RLIMIT_MEMLOCK, EPERM): usable, but not locked
  kError,     // the range is invalid; nothing was changed
};

class [[nodiscard]] LockResult {
 public:
  LockResult(LockOutcome outcome, Status status) noexcept : outcome_(outcome), status_(std::move(status)) {}

  LockOutcome outcome() const noexcept { return outcome_; }
  bool locked() const noexcept { return outcome_ == LockOutcome::kLocked; }
  bool degraded() const noexcept { return outcome_ == LockOutcome::kDegraded; }
  // True when the memory may be used: locked, or degraded.
  bool usable() const noexcept { return outcome_ != LockOutcome::kError; }
  // Why it was degraded or failed; Ok() when locked.
  const Status& status() const noexcept { return status_; }

 private:
  LockOutcome outcome_;
  Status status_;
};

// Locks the pages under [data, data + size). size 0 locks nothing and says kLocked.
LockResult lock(void* data, std::size_t size) noexcept;

// Zeroes [data, data + size), then releases each page whose last lock this was.
// Returns the error of munlock/madvise if the system reports one; the zeroing itself
// cannot fail.
Status unlock(void* data, std::size_t size) noexcept;

// Pages currently held by lock() in this process (locked or degraded), for tests
// and diagnostics.
std::size_t locked_page_count() noexcept;

// The system page size.
std::size_t page_size() noexcept;

}  // namespace memsafe

#endif  // MEMSAFE_LOCKED_MEMORY_H_
