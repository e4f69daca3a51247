#include "memsafe/status.h"

#include <cerrno>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include <gtest/gtest.h>

namespace memsafe {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.ToString(), "ok");
  EXPECT_EQ(status, Status::Ok());
}

TEST(StatusTest, CarriesCodeMessageAndErrno) {
  Status status(StatusCode::kTimeout, "pool checkout", ETIMEDOUT);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kTimeout);
  EXPECT_EQ(status.message(), "pool checkout");
  EXPECT_EQ(status.sys_errno(), ETIMEDOUT);
  EXPECT_EQ(status.ToString(), "timeout: pool checkout");
  std::ostringstream out;
  out << status;
  EXPECT_EQ(out.str(), "timeout: pool checkout");
}

TEST(StatusTest, FromErrnoMapsCommonErrors) {
  EXPECT_EQ(Status::FromErrno(ENOENT, "open").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::FromErrno(EPERM, "mlock").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Status::FromErrno(ENOMEM, "mlock").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Status::FromErrno(EAGAIN, "read").code(), StatusCode::kUnavailable);
  EXPECT_EQ(Status::FromErrno(EIO, "write").code(), StatusCode::kIoError);
  Status status = Status::FromErrno(ENOENT, "open /nonexistent");
  EXPECT_EQ(status.message(), "open /nonexistent: No such file or directory");
  EXPECT_EQ(status.sys_errno(), ENOENT);
}

TEST(StatusTest, EveryCodeHasAName) {
  for (int code = 0; code <= static_cast<int>(StatusCode::kInternal); ++code) {
    EXPECT_NE(StatusCodeName(static_cast<StatusCode>(code)), "unknown") << code;
  }
}

Result<int> Half(int value) {
  if (value % 2 != 0) return Status(StatusCode::kInvalidArgument, "odd");
  return value / 2;
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = Half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  EXPECT_TRUE(good.status().ok());

  Result<int> bad = Half(3);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(ResultTest, CopiesAndMovesOwnedValues) {
  Result<std::string> text(std::string(100, 'a'));
  Result<std::string> copy = text;
  EXPECT_EQ(*copy, *text);
  Result<std::string> moved = std::move(copy);
  EXPECT_EQ(moved->size(), 100u);
  moved = Status(StatusCode::kNotFound, "gone");
  EXPECT_FALSE(moved.ok());
  moved = text;
  EXPECT_EQ(*moved, std::string(100, 'a'));
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> owner(std::make_unique<int>(7));
  std::unique_ptr<int> taken = std::move(owner).value();
  EXPECT_EQ(*taken, 7);
}

TEST(ResultDeathTest, ValueOfFailedResultAborts) {
  Result<int> bad = Half(3);
  EXPECT_DEATH((void)bad.value(), "value\\(\\) of a failed Result: invalid-argument: odd");
}

TEST(ResultDeathTest, OkStatusWithoutValueAborts) {
  // The temporary is discarded on purpose: constructing it is what must abort.
  EXPECT_DEATH((void)Result<int>{Status::Ok()}, "Result constructed from an ok Status");
}

TEST(StatusDeathTest, CheckAbortsInEveryBuildType) {
  EXPECT_DEATH(MEMSAFE_CHECK(1 + 1 == 3, "arithmetic is broken"), "arithmetic is broken");
}

}  // namespace
}  // namespace memsafe
