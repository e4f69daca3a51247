#include "memsafe/resource_registry.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "memsafe/resource.h"

namespace memsafe {
namespace {

Status CloseOk(int&) { return Status::Ok(); }

TEST(ResourceRegistryTest, TracksLiveResourcesAndTotals) {
  ResourceRegistry registry;
  {
    Resource<int> a(registry, "file", "/tmp/a.txt", 1, &CloseOk);
    Resource<int> b(registry, "socket", "db:5432", 2, &CloseOk);
    std::vector<ResourceInfo> live = registry.live();
    ASSERT_EQ(live.size(), 2u);
    EXPECT_EQ(live[0].kind, "file");
    EXPECT_EQ(live[0].label, "/tmp/a.txt");
    EXPECT_EQ(live[1].kind, "socket");
    EXPECT_NE(live[0].id, live[1].id);
    const auto now = std::chrono::steady_clock::now();
    EXPECT_LE(live[0].opened_at, now + std::chrono::milliseconds(50));  // coarse clock
    EXPECT_GE(live[0].opened_at, now - std::chrono::minutes(1));
    EXPECT_EQ(registry.snapshot().active(), 2u);
  }
  RegistryMetrics metrics = registry.snapshot();
  EXPECT_EQ(metrics.opened, 2u);
  EXPECT_EQ(metrics.closed, 2u);
  EXPECT_EQ(metrics.active(), 0u);
  EXPECT_EQ(metrics.peak, 2u);
  EXPECT_EQ(metrics.cleanup_failed, 0u);
  EXPECT_TRUE(registry.live().empty());
}

TEST(ResourceRegistryTest, LongLabelsAreTruncated) {
  ResourceRegistry registry;
  Resource<int> r(registry, "file", std::string(200, 'x'), 1, &CloseOk);
  EXPECT_EQ(registry.live().at(0).label, std::string(47, 'x'));
}

TEST(ResourceRegistryTest, CloseAllGoesNewestFirstAndRunsEveryCleanup) {
  ResourceRegistry registry;
  std::vector<int> order;
  auto closer = [&order](int& value) {
    order.push_back(value);
    return value == 2 ? Status(StatusCode::kIoError, "disk gone") : Status::Ok();
  };
  Resource<int> first(registry, "r", "1", 1, closer);
  Resource<int> second(registry, "r", "2", 2, closer);
  Resource<int> third(registry, "r", "3", 3, closer);
  Status status = registry.close_all();
  EXPECT_EQ(order, (std::vector<int>{3, 2, 1}));
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("1 of 3 cleanups failed"), std::string::npos) << status;
  EXPECT_NE(status.message().find("disk gone"), std::string::npos);
  EXPECT_FALSE(first.is_open());
  EXPECT_FALSE(third.is_open());
  RegistryMetrics metrics = registry.snapshot();
  EXPECT_EQ(metrics.active(), 0u);
  EXPECT_EQ(metrics.cleanup_failed, 1u);
  EXPECT_TRUE(first.close().ok());  // already closed: nothing runs again
  EXPECT_EQ(order.size(), 3u);
}

TEST(ResourceRegistryTest, EightThreadsOpenAndCloseConcurrently) {
  ResourceRegistry registry;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Resource<int> r(registry, "worker", "item", t, &CloseOk);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  RegistryMetrics metrics = registry.snapshot();
  EXPECT_EQ(metrics.opened, static_cast<std::uint64_t>(kThreads) * kPerThread);
  EXPECT_EQ(metrics.closed, metrics.opened);
  EXPECT_EQ(metrics.active(), 0u);
  EXPECT_LE(metrics.peak, static_cast<std::uint64_t>(kThreads));
  EXPECT_EQ(metrics.cleanup_failed, 0u);
}

TEST(ResourceRegistryTest, DestroyingARegistryClosesWhatIsLeft) {
  int closed = 0;
  auto registry = std::make_unique<ResourceRegistry>();
  Resource<int> r(*registry, "r", "left open", 1, [&closed](int&) {
    ++closed;
    return Status::Ok();
  });
  registry.reset();
  EXPECT_EQ(closed, 1);
  EXPECT_FALSE(r.is_open());
}

TEST(ResourceRegistryTest, DefaultRegistryIsShared) {
  EXPECT_EQ(&ResourceRegistry::Default(), &ResourceRegistry::Default());
}

TEST(ResourceRegistryTest, CloseDefaultAtExitClosesWhatIsStillOpenOnce) {
  EXPECT_EXIT(
      {
        // Never destroyed (reachable from a static, so not a leak): only the exit hook
        // can close it, and it must do so exactly once.
        static Resource<int>* left_open = new Resource<int>(ResourceRegistry::Default(), "r", "left open", 0, [](int&) {
          std::fputs("closed at exit\n", stderr);
          return Status::Ok();
        });
        (void)left_open;  // (void): it only has to exist
        ResourceRegistry::CloseDefaultAtExit();
        ResourceRegistry::CloseDefaultAtExit();  // a second call adds no second hook
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "^closed at exit\n$");
}

TEST(ResourceRegistryDeathTest, UnregisteringTwiceAborts) {
  ResourceRegistry registry;
  const std::uint64_t id = registry.Register("r", "x", nullptr, nullptr);
  registry.Unregister(id, true);
  EXPECT_DEATH(registry.Unregister(id, true), "closed twice");
}

TEST(ResourceRegistryDeathTest, UnknownIdAborts) {
  ResourceRegistry registry;
  EXPECT_DEATH(registry.Unregister(12345, true), "unknown resource id");
}

}  // namespace
}  // namespace memsafe
