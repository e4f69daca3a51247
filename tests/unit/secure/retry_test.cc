#include "memsafe/retry.h"

#include <cerrno>
#include <chrono>
#include <vector>

#include <gtest/gtest.h>

namespace memsafe {
namespace {

using std::chrono::milliseconds;

struct Recorder {
  std::vector<milliseconds> sleeps;
  RetryPolicy Policy(int attempts, milliseconds initial, double multiplier, milliseconds cap) {
    RetryPolicy policy;
    policy.max_attempts = attempts;
    policy.initial_delay = initial;
    policy.multiplier = multiplier;
    policy.max_delay = cap;
    policy.sleep = [this](milliseconds d) { sleeps.push_back(d); };
    return policy;
  }
};

TEST(RetryTest, RetriesTransientErrorsWithExponentialBackoff) {
  Recorder recorder;
  int calls = 0;
  Status status = retry_with_backoff(
      [&] {
        ++calls;
        return calls < 3 ? Status::FromErrno(calls == 1 ? EINTR : EBUSY, "write") : Status::Ok();
      },
      recorder.Policy(5, milliseconds(10), 2.0, milliseconds(1000)));
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(recorder.sleeps, (std::vector<milliseconds>{milliseconds(10), milliseconds(20)}));
}

TEST(RetryTest, StopsAtTheFirstPermanentError) {
  Recorder recorder;
  int calls = 0;
  Status status = retry_with_backoff(
      [&] {
        ++calls;
        return Status::FromErrno(ENOENT, "open");
      },
      recorder.Policy(5, milliseconds(10), 2.0, milliseconds(1000)));
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(recorder.sleeps.empty());
}

TEST(RetryTest, GivesUpAfterMaxAttemptsWithTheLastErrorAndCappedDelays) {
  Recorder recorder;
  int calls = 0;
  Status status = retry_with_backoff(
      [&] {
        ++calls;
        return Status::FromErrno(EAGAIN, "attempt " + std::to_string(calls));
      },
      recorder.Policy(4, milliseconds(10), 10.0, milliseconds(50)));
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("attempt 4"), std::string::npos);
  EXPECT_EQ(recorder.sleeps, (std::vector<milliseconds>{milliseconds(10), milliseconds(50), milliseconds(50)}));
}

TEST(RetryTest, WorksWithResults) {
  Recorder recorder;
  int calls = 0;
  Result<int> result = retry_with_backoff(
      [&]() -> Result<int> {
        if (++calls == 1) return Status::FromErrno(EAGAIN, "read");
        return 42;
      },
      recorder.Policy(3, milliseconds(1), 2.0, milliseconds(10)));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 42);
  EXPECT_EQ(calls, 2);
}

TEST(RetryDeathTest, InvalidPolicyAborts) {
  RetryPolicy policy;
  policy.max_attempts = 0;
  EXPECT_DEATH((void)retry_with_backoff([] { return Status::Ok(); }, policy), "max_attempts");
}

}  // namespace
}  // namespace memsafe
