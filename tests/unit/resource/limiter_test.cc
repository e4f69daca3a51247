#include "memsafe/limiter.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace memsafe {
namespace {

using std::chrono::milliseconds;

TEST(LimiterTest, NeverExceedsTheLimitUnderContention) {
  Limiter limiter(3);
  std::atomic<int> inside{0};
  std::atomic<int> worst{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        Result<Limiter::Unit> unit = limiter.acquire(milliseconds(60000));
        ASSERT_TRUE(unit.ok()) << unit.status();
        const int now = ++inside;
        int seen = worst.load();
        while (now > seen && !worst.compare_exchange_weak(seen, now)) {
        }
        --inside;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(worst.load(), 3);
  EXPECT_LE(limiter.high_water(), 3u);
  EXPECT_EQ(limiter.in_use(), 0u);
}

TEST(LimiterTest, TryAcquireFailsWhenFullAndSucceedsAfterARelease) {
  Limiter limiter(2);
  std::optional<Limiter::Unit> a = limiter.try_acquire();
  std::optional<Limiter::Unit> b = limiter.try_acquire();
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(limiter.try_acquire().has_value());
  a->Release();
  a->Release();  // idempotent
  EXPECT_EQ(limiter.in_use(), 1u);
  EXPECT_TRUE(limiter.try_acquire().has_value());
}

TEST(LimiterTest, AcquireTimesOutInsteadOfHanging) {
  Limiter limiter(1);
  Result<Limiter::Unit> held = limiter.acquire(milliseconds(10));
  ASSERT_TRUE(held.ok());
  Result<Limiter::Unit> second = limiter.acquire(milliseconds(20));
  EXPECT_EQ(second.status().code(), StatusCode::kTimeout);
}

TEST(LimiterTest, TheLongestTimeoutWaitsInsteadOfOverflowing) {
  Limiter limiter(1);
  Result<Limiter::Unit> held = limiter.acquire(milliseconds(0));
  ASSERT_TRUE(held.ok());
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    // now + milliseconds::max() overflowed into the past: an immediate timeout.
    Result<Limiter::Unit> unit = limiter.acquire(milliseconds::max());
    got = unit.ok();
  });
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_FALSE(got.load()) << "acquire(max) gave up instead of waiting";
  held = Status(StatusCode::kCancelled, "released");  // gives the unit back
  waiter.join();
  EXPECT_TRUE(got.load());
  Result<Limiter::Unit> again = limiter.acquire(milliseconds(0));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(limiter.acquire(milliseconds(-5)).status().code(), StatusCode::kTimeout);
}

TEST(LimiterTest, ShutdownFailsEveryWaiter) {
  Limiter limiter(1);
  Result<Limiter::Unit> held = limiter.acquire(milliseconds(10));
  ASSERT_TRUE(held.ok());
  std::vector<std::thread> waiters;
  std::atomic<int> cancelled{0};
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&] {
      Result<Limiter::Unit> unit = limiter.acquire(milliseconds(600000));
      if (unit.status().code() == StatusCode::kCancelled) ++cancelled;
    });
  }
  limiter.shutdown();
  for (std::thread& waiter : waiters) waiter.join();  // would hang for 10 minutes if lost
  EXPECT_EQ(cancelled.load(), 3);
  EXPECT_FALSE(limiter.try_acquire().has_value());
}

TEST(LimiterTest, UnitsMove) {
  Limiter limiter(1);
  std::optional<Limiter::Unit> unit = limiter.try_acquire();
  ASSERT_TRUE(unit);
  Limiter::Unit moved = std::move(*unit);
  unit.reset();
  EXPECT_EQ(limiter.in_use(), 1u);
  moved.Release();
  EXPECT_EQ(limiter.in_use(), 0u);
}

TEST(LimiterDeathTest, DestroyingWithUnitsOutAborts) {
  EXPECT_DEATH(
      {
        auto* limiter = new Limiter(1);
        std::optional<Limiter::Unit> unit = limiter->try_acquire();
        delete limiter;
      },
      "units are still held");
}

TEST(LimiterDeathTest, ZeroLimitAborts) { EXPECT_DEATH(Limiter(0), "at least 1"); }

}  // namespace
}  // namespace memsafe
