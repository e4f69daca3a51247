// memsafe/limiter.h: bounded concurrency. A Limiter hands out at most `limit` units at
// a time, as RAII objects that give their unit back when destroyed.
//
// Use one in front of anything that must not be opened without bound (connections,
// file descriptors, memory-hungry jobs): a caller that cannot get a unit in time gets
// a kTimeout status instead of exhausting the process.
//
// Example:
//
//   memsafe::Limiter connections(8);
//   memsafe::Result<memsafe::Limiter::Unit> unit = connections.acquire(std::chrono::seconds(2));
//   if (!unit.ok()) return unit.status();   // kTimeout, or kCancelled at shutdown
//   Talk();                                  // the unit returns when `unit` goes away
//
// Thread-safety: every member is thread-safe. The count never exceeds the limit: a unit
// is taken with one atomic compare-and-swap, never by checking and then incrementing.
//
// Failure: acquire() returns kTimeout when the deadline passes and kCancelled once
// shutdown() was called, waking every waiter at once; try_acquire() returns an empty
// optional. Destroying a Limiter while units are out is misuse and aborts.
#ifndef MEMSAFE_LIMITER_H_
#define MEMSAFE_LIMITER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <utility>

#include "memsafe/status.h"

namespace memsafe {

class Limiter {
 public:
  class [[nodiscard]] Unit {
   public:
    Unit(Unit&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    Unit& operator=(Unit&& other) noexcept {
      if (this != &other) {
        Release();
        owner_ = std::exchange(other.owner_, nullptr);
      }
      return *this;
    }
    Unit(const Unit&) = delete;
    Unit& operator=(const Unit&) = delete;
    ~Unit() { Release(); }
    // Gives the unit back now; idempotent.
    void Release() noexcept;

   private:
    friend class Limiter;
    explicit Unit(Limiter* owner) noexcept : owner_(owner) {}
    Limiter* owner_;
  };

  explicit Limiter(std::size_t limit);
  ~Limiter();
  Limiter(const Limiter&) = delete;
  Limiter& operator=(const Limiter&) = delete;

  Result<Unit> acquire(std::chrono::milliseconds timeout);
  std::optional<Unit> try_acquire() noexcept;

  // Fails every current and future acquire() with kCancelled.
  void shutdown() noexcept;

  std::size_t limit() const noexcept { return limit_; }
  std::size_t in_use() const noexcept { return in_use_.load(std::memory_order_acquire); }
  // The most units ever out at once.
  std::size_t high_water() const noexcept { return high_water_.load(std::memory_order_acquire); }

 private:
  bool TryTake() noexcept;
  void Give() noexcept;

  const std::size_t limit_;
  std::atomic<std::size_t> in_use_{0};
  std::atomic<std::size_t> high_water_{0};
  std::atomic<bool> shut_down_{false};
  std::atomic<std::size_t> waiters_{0};  // threads inside acquire() that may sleep
  std::mutex mutex_;
  std::condition_variable freed_;
};

}  // namespace memsafe

#endif  // MEMSAFE_LIMITER_H_
