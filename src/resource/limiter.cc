#include "memsafe/limiter.h"

namespace memsafe {

Limiter::Limiter(std::size_t limit) : limit_(limit) {
  MEMSAFE_CHECK(limit > 0, "Limiter: the limit must be at least 1");
}

Limiter::~Limiter() { MEMSAFE_CHECK(in_use() == 0, "Limiter destroyed while units are still held"); }

bool Limiter::TryTake() noexcept {
  std::size_t current = in_use_.load(std::memory_order_seq_cst);
  do {
    if (current >= limit_) return false;
  } while (!in_use_.compare_exchange_weak(current, current + 1, std::memory_order_seq_cst, std::memory_order_seq_cst));
  std::size_t high = high_water_.load(std::memory_order_relaxed);
  while (current + 1 > high &&
         !high_water_.compare_exchange_weak(high, current + 1, std::memory_order_acq_rel, std::memory_order_relaxed)) {
  }
  return true;
}

void Limiter::Give() noexcept {
  in_use_.fetch_sub(1, std::memory_order_seq_cst);
  // Both this pair and the waiter's (count itself as waiting, then try to take) are
  // sequentially consistent, so either the waiter's try sees the unit given back, or
  // this load sees the waiter and wakes it. Taking the mutex orders the wake-up after
  // the waiter has gone to sleep. Without waiters, no mutex at all.
  if (waiters_.load(std::memory_order_seq_cst) == 0) return;
  { std::lock_guard<std::mutex> guard(mutex_); }
  freed_.notify_one();
}

void Limiter::Unit::Release() noexcept {
  if (Limiter* owner = std::exchange(owner_, nullptr)) owner->Give();
}

std::optional<Limiter::Unit> Limiter::try_acquire() noexcept {
  if (shut_down_.load(std::memory_order_acquire) || !TryTake()) return std::nullopt;
  return Unit(this);
}

namespace {

// now + timeout, saturated: milliseconds::max() (or any timeout past the clock's range)
// means "wait as long as it takes", not a signed overflow into the past. A negative
// timeout is now.
std::chrono::steady_clock::time_point DeadlineAfter(std::chrono::milliseconds timeout) noexcept {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point now = Clock::now();
  if (timeout <= std::chrono::milliseconds::zero()) return now;
  const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - now);
  if (timeout >= room) return Clock::time_point::max();
  return now + timeout;
}

}  // namespace

Result<Limiter::Unit> Limiter::acquire(std::chrono::milliseconds timeout) {
  if (!shut_down_.load(std::memory_order_acquire) && TryTake()) return Unit(this);
  const auto deadline = DeadlineAfter(timeout);
  std::unique_lock<std::mutex> lock(mutex_);
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  struct StopWaiting {
    std::atomic<std::size_t>& waiters;
    ~StopWaiting() { waiters.fetch_sub(1, std::memory_order_seq_cst); }
  } stop_waiting{waiters_};
  for (;;) {
    if (shut_down_.load(std::memory_order_acquire)) {
      return Status(StatusCode::kCancelled, "Limiter: shut down");
    }
    if (TryTake()) return Unit(this);
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      if (!shut_down_.load(std::memory_order_acquire) && TryTake()) return Unit(this);
      if (shut_down_.load(std::memory_order_acquire)) {
        return Status(StatusCode::kCancelled, "Limiter: shut down");
      }
      return Status(StatusCode::kTimeout, "Limiter: no unit free within the timeout");
    }
  }
}

void Limiter::shutdown() noexcept {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    shut_down_.store(true, std::memory_order_release);
  }
  freed_.notify_all();
}

}  // namespace memsafe
