// memsafe/retry.h: retrying an operation that fails transiently, with exponential
// backoff and a cap.
//
// File operations fail now and then for reasons that go away: EINTR (a signal),
// EAGAIN and EBUSY (a lock or device briefly held; on Windows, a sharing violation
// from a virus scanner or indexer). retry_with_backoff() calls `op` until it succeeds,
// fails with a non-transient error, or the attempts run out, sleeping between attempts:
// initial_delay, then times multiplier each time, never more than max_delay. It
// returns the last result, so the caller sees the real final error.
//
// Example:
//
//   memsafe::Status status = memsafe::retry_with_backoff(
//       [&] { return memsafe::wipe_file(path); }, memsafe::RetryPolicy{});
//
// Thread-safety: retry_with_backoff has no shared state; `op` and `policy.sleep` are
// called on the calling thread.
//
// Failure: a policy with max_attempts < 1 or a multiplier < 1 is misuse and aborts.
// Exceptions from `op` propagate.
#ifndef MEMSAFE_RETRY_H_
#define MEMSAFE_RETRY_H_

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>
#include <type_traits>

#include "memsafe/status.h"

namespace memsafe {

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds initial_delay{10};
  double multiplier = 2.0;
  std::chrono::milliseconds max_delay{1000};
  // How to wait; tests replace it to record the schedule instead of sleeping.
  std::function<void(std::chrono::milliseconds)> sleep = [](std::chrono::milliseconds d) {
    std::this_thread::sleep_for(d);
  };
};

// Transient: kUnavailable, which Status::FromErrno gives for EINTR, EAGAIN and EBUSY.
inline bool IsTransient(const Status& status) noexcept { return status.code() == StatusCode::kUnavailable; }

// `op` returns a Status or a Result<T>.
template <typename Op>
auto retry_with_backoff(Op&& op, const RetryPolicy& policy) -> std::invoke_result_t<Op&> {
  MEMSAFE_CHECK(policy.max_attempts >= 1, "RetryPolicy: max_attempts must be at least 1");
  MEMSAFE_CHECK(policy.multiplier >= 1.0, "RetryPolicy: multiplier must be at least 1");
  auto delay = policy.initial_delay;
  for (int attempt = 1;; ++attempt) {
    auto result = op();
    const Status& status = [&]() -> const Status& {
      if constexpr (std::is_same_v<decltype(result), Status>) {
        return result;
      } else {
        return result.status();
      }
    }();
    if (status.ok() || !IsTransient(status) || attempt >= policy.max_attempts) return result;
    policy.sleep(std::min(delay, policy.max_delay));
    const double next = static_cast<double>(delay.count()) * policy.multiplier;
    delay = std::chrono::milliseconds(
        static_cast<std::chrono::milliseconds::rep>(std::min(next, static_cast<double>(policy.max_delay.count()))));
  }
}

}  // namespace memsafe

#endif  // MEMSAFE_RETRY_H_
