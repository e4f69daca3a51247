#include "memsafe/resource.h"

#include <stdexcept>
#include <utility>

#include <gtest/gtest.h>

#include "test_support.h"

namespace memsafe {
namespace {

struct Counter {
  int closes = 0;
};

Resource<Counter*> Make(ResourceRegistry& registry, Counter* counter, bool fail = false) {
  return Resource<Counter*>(registry, "counter", "c", counter, [fail](Counter*& c) {
    ++c->closes;
    return fail ? Status(StatusCode::kIoError, "flush failed") : Status::Ok();
  });
}

TEST(ResourceTest, ClosesAtTheEndOfItsScope) {
  ResourceRegistry registry;
  Counter counter;
  { Resource<Counter*> r = Make(registry, &counter); }
  EXPECT_EQ(counter.closes, 1);
  EXPECT_EQ(registry.snapshot().active(), 0u);
}

TEST(ResourceTest, CloseReturnsTheErrorOnceAndIsIdempotent) {
  ResourceRegistry registry;
  Counter counter;
  Resource<Counter*> r = Make(registry, &counter, /*fail=*/true);
  Status first = r.close();
  EXPECT_EQ(first.code(), StatusCode::kIoError);
  EXPECT_TRUE(r.close().ok());
  EXPECT_EQ(counter.closes, 1);
  EXPECT_EQ(registry.snapshot().cleanup_failed, 1u);
}

TEST(ResourceTest, FailingCloseInTheDestructorIsCountedAndLoggedNotThrown) {
  ResourceRegistry registry;
  Counter counter;
  testing::LogCapture log;
  { Resource<Counter*> r = Make(registry, &counter, /*fail=*/true); }
  EXPECT_EQ(counter.closes, 1);
  EXPECT_EQ(registry.snapshot().cleanup_failed, 1u);
  EXPECT_EQ(registry.snapshot().active(), 0u);
  EXPECT_EQ(log.CountContaining("flush failed"), 1);
}

TEST(ResourceTest, ThrowingCloserBecomesAStatus) {
  ResourceRegistry registry;
  Resource<int> r(registry, "r", "x", 0, [](int&) -> Status { throw std::runtime_error("boom"); });
  Status status = r.close();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("boom"), std::string::npos);
}

TEST(ResourceTest, MoveTransfersOwnershipAndRegistration) {
  ResourceRegistry registry;
  Counter counter;
  Resource<Counter*> original = Make(registry, &counter);
  Resource<Counter*> moved = std::move(original);
  EXPECT_FALSE(original.is_open());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(moved.is_open());
  // The registry must reach the new owner, not the moved-from object.
  EXPECT_TRUE(registry.close_all().ok());
  EXPECT_FALSE(moved.is_open());
  EXPECT_EQ(counter.closes, 1);
  Resource<Counter*> assigned;
  assigned = Make(registry, &counter);
  assigned = Make(registry, &counter);  // closes the first
  EXPECT_EQ(counter.closes, 2);
}

TEST(ResourceTest, AnExceptionInTheScopeClosesEverything) {
  ResourceRegistry registry;
  Counter counter;
  try {
    Resource<Counter*> a = Make(registry, &counter);
    Resource<Counter*> b = Make(registry, &counter);
    Resource<Counter*> c = Make(registry, &counter);
    throw std::runtime_error("request failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(counter.closes, 3);
  EXPECT_EQ(registry.snapshot().active(), 0u);
  EXPECT_EQ(registry.snapshot().opened, 3u);
}

TEST(ResourceDeathTest, UseAfterCloseAborts) {
  ResourceRegistry registry;
  Counter counter;
  Resource<Counter*> r = Make(registry, &counter);
  (void)r.close();
  EXPECT_DEATH((void)r.get(), "use of a closed or empty resource");
}

}  // namespace
}  // namespace memsafe
