#include "memsafe/log.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace memsafe {
namespace {

std::atomic<int> g_calls{0};
std::atomic<int> g_last_level{-1};

void CountingHook(LogLevel level, std::string_view message) noexcept {
  if (message.empty()) return;
  g_last_level.store(static_cast<int>(level));
  g_calls.fetch_add(1);
}

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_calls = 0;
    g_last_level = -1;
    previous_ = SetLogHook(&CountingHook);
  }
  void TearDown() override { (void)SetLogHook(previous_); }

 private:
  LogHook previous_ = nullptr;
};

TEST_F(LogTest, SilentByDefault) {
  // With the hook removed, logging is a no-op rather than a write to stderr.
  LogHook mine = SetLogHook(nullptr);
  EXPECT_EQ(mine, &CountingHook);
  Log(LogLevel::kWarning, "nobody listens");
  EXPECT_EQ(g_calls.load(), 0);
}

TEST_F(LogTest, DeliversLevelAndMessage) {
  Log(LogLevel::kError, "cleanup failed");
  EXPECT_EQ(g_calls.load(), 1);
  EXPECT_EQ(g_last_level.load(), static_cast<int>(LogLevel::kError));
}

TEST_F(LogTest, SafeFromManyThreads) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < 1000; ++i) Log(LogLevel::kInfo, "tick");
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(g_calls.load(), 4000);
}

}  // namespace
}  // namespace memsafe
