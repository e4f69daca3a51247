#include "memsafe/locked_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <mutex>
#include <new>
#include <unordered_map>

#include "memsafe/log.h"
#include "memsafe/secure_zero.h"
#include "syscalls.h"

namespace memsafe {
namespace {

struct PageEntry {
  std::size_t users = 0;
  bool locked = false;  // false: mlock was refused for this page (degraded)
};

struct PageTable {
  std::mutex mutex;
  std::unordered_map<std::uintptr_t, PageEntry> pages;
};

// Never destroyed: lock()/unlock() may run in other objects' static destructors.
PageTable& Table() {
  static PageTable* table = new PageTable;
  return *table;
}

struct PageRange {
  std::uintptr_t first;
  std::uintptr_t end;  // one past the last page
};

PageRange PagesOf(const void* data, std::size_t size) noexcept {
  const std::uintptr_t page = page_size();
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  return {begin & ~(page - 1), (begin + size + page - 1) & ~(page - 1)};
}

bool IsRefusal(int err) noexcept { return err == EPERM || err == ENOMEM || err == EAGAIN; }

}  // namespace

std::size_t page_size() noexcept {
  static const std::size_t size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

namespace {
// Takes back the counts this call added to pages [first, end).
void Rollback(PageTable& table, std::uintptr_t first, std::uintptr_t end) noexcept {
  const std::uintptr_t page = page_size();
  for (std::uintptr_t q = first; q < end; q += page) {
    auto it = table.pages.find(q);
    if (it == table.pages.end() || --it->second.users > 0) continue;
    // (void): this call is already failing with the error that matters.
    if (it->second.locked) (void)internal::SysMunlock(reinterpret_cast<void*>(q), page);
    table.pages.erase(it);
  }
}
}  // namespace

LockResult lock(void* data, std::size_t size) noexcept {
  if (size == 0) return {LockOutcome::kLocked, Status::Ok()};
  MEMSAFE_CHECK(data != nullptr, "memsafe::lock: null pointer with a non-zero size");
  const auto address = reinterpret_cast<std::uintptr_t>(data);
  if (address + size < address) {
    return {LockOutcome::kError, Status(StatusCode::kInvalidArgument, "memsafe::lock: range wraps around")};
  }
  const PageRange range = PagesOf(data, size);
  const std::uintptr_t page = page_size();
  PageTable& table = Table();
  std::lock_guard<std::mutex> guard(table.mutex);
  std::uintptr_t counted = range.first;  // pages [range.first, counted) carry our count
  int refused_errno = 0;
  try {
    for (std::uintptr_t p = range.first; p < range.end; p += page) {
      PageEntry& entry = table.pages[p];
      counted = p + page;
      if (entry.users++ > 0) {
        if (!entry.locked && refused_errno == 0) refused_errno = ENOMEM;
        continue;
      }
      void* page_ptr = reinterpret_cast<void*>(p);
      if (internal::SysMlock(page_ptr, page) == 0) {
        entry.locked = true;
        // A page that stays in core dumps is still locked; report it as degraded.
        if (madvise(page_ptr, page, MADV_DONTDUMP) != 0 && refused_errno == 0) {
          refused_errno = errno;
        }
        continue;
      }
      const int err = errno;
      if (!IsRefusal(err)) {
        Status failure = Status::FromErrno(err, "mlock");  // may throw: before the rollback
        Rollback(table, range.first, counted);
        return {LockOutcome::kError, std::move(failure)};
      }
      if (refused_errno == 0) refused_errno = err;
    }
    if (refused_errno != 0) {
      Status why = Status::FromErrno(refused_errno, "memsafe::lock: memory not locked");
      Log(LogLevel::kWarning, why.message());
      return {LockOutcome::kDegraded, std::move(why)};
    }
  } catch (const std::bad_alloc&) {
    Rollback(table, range.first, counted);
    return {LockOutcome::kError, Status(StatusCode::kResourceExhausted, "memsafe::lock: no memory for bookkeeping")};
  }
  return {LockOutcome::kLocked, Status::Ok()};
}

Status unlock(void* data, std::size_t size) noexcept {
  if (size == 0) return Status::Ok();
  MEMSAFE_CHECK(data != nullptr, "memsafe::unlock: null pointer with a non-zero size");
  secure_zero(data, size);
  const PageRange range = PagesOf(data, size);
  const std::uintptr_t page = page_size();
  PageTable& table = Table();
  std::lock_guard<std::mutex> guard(table.mutex);
  for (std::uintptr_t p = range.first; p < range.end; p += page) {
    auto it = table.pages.find(p);
    MEMSAFE_CHECK(it != table.pages.end() && it->second.users > 0,
                  "memsafe::unlock: range was not locked by memsafe::lock");
  }
  Status result;
  for (std::uintptr_t p = range.first; p < range.end; p += page) {
    auto it = table.pages.find(p);
    if (--it->second.users > 0) continue;
    if (it->second.locked) {
      void* page_ptr = reinterpret_cast<void*>(p);
      if (madvise(page_ptr, page, MADV_DODUMP) != 0 && result.ok()) {
        result = Status::FromErrno(errno, "madvise(MADV_DODUMP)");
      }
      if (internal::SysMunlock(page_ptr, page) != 0 && result.ok()) {
        result = Status::FromErrno(errno, "munlock");
      }
    }
    table.pages.erase(it);
  }
  return result;
}

std::size_t locked_page_count() noexcept {
  PageTable& table = Table();
  std::lock_guard<std::mutex> guard(table.mutex);
  return table.pages.size();
}

}  // namespace memsafe
