#include "memsafe/task_scope.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "memsafe/resource.h"

namespace memsafe {
namespace {

Status CloseOk(int&) { return Status::Ok(); }

TEST(TaskScopeTest, RunsEveryTask) {
  std::atomic<int> done{0};
  TaskScope scope(3);
  for (int i = 0; i < 100; ++i) scope.spawn([&done](std::stop_token) { ++done; });
  scope.join();
  EXPECT_EQ(done.load(), 100);
}

TEST(TaskScopeTest, ExceptionsSurfaceAtJoinAfterEveryTaskFinished) {
  std::atomic<int> finished{0};
  TaskScope scope(2);
  scope.spawn([](std::stop_token) { throw std::runtime_error("first failure"); });
  scope.spawn([](std::stop_token) { throw std::logic_error("second failure"); });
  for (int i = 0; i < 10; ++i) scope.spawn([&finished](std::stop_token) { ++finished; });
  try {
    scope.join();
    FAIL() << "join did not throw";
  } catch (const TaskScopeError& error) {
    EXPECT_EQ(error.errors().size(), 2u);
    EXPECT_NE(std::string(error.what()).find("2 task(s) failed"), std::string::npos);
  }
  EXPECT_EQ(finished.load(), 10);
}

TEST(TaskScopeTest, DestroyingWithoutJoinStopsAndWaits) {
  std::atomic<bool> saw_stop{false};
  std::atomic<bool> started{false};
  {
    TaskScope scope(1);
    scope.spawn([&](std::stop_token stop) {
      started = true;
      while (!stop.stop_requested()) std::this_thread::yield();
      saw_stop = true;
    });
    while (!started) std::this_thread::yield();
  }  // must request stop and join, never leave the thread running
  EXPECT_TRUE(saw_stop.load());
}

TEST(TaskScopeTest, CancellationAfterNOperationsReleasesEveryResource) {
  ResourceRegistry registry;
  std::atomic<int> operations{0};
  TaskScope scope(2);
  for (int worker = 0; worker < 2; ++worker) {
    scope.spawn([&](std::stop_token stop) {
      Resource<int> session(registry, "session", "held for the whole task", 0, &CloseOk);
      while (!stop.stop_requested()) {
        Resource<int> step(registry, "step", "one operation", 0, &CloseOk);
        ++operations;
      }
    });
  }
  while (operations.load() < 1000) std::this_thread::yield();
  scope.request_stop();
  scope.join();
  RegistryMetrics metrics = registry.snapshot();
  EXPECT_EQ(metrics.active(), 0u);
  EXPECT_EQ(metrics.opened, metrics.closed);
  EXPECT_GE(metrics.opened, 1000u);
}

TEST(TaskScopeTest, AnExceptionInsideTheScopeClosesEverything) {
  ResourceRegistry registry;
  TaskScope scope(2);
  for (int i = 0; i < 4; ++i) {
    scope.spawn([&registry, i](std::stop_token) {
      Resource<int> a(registry, "a", "x", i, &CloseOk);
      Resource<int> b(registry, "b", "y", i, &CloseOk);
      if (i % 2 == 0) throw std::runtime_error("task failed");
    });
  }
  EXPECT_THROW(scope.join(), TaskScopeError);
  EXPECT_EQ(registry.snapshot().active(), 0u);
  EXPECT_EQ(registry.snapshot().opened, 8u);
}

TEST(TaskScopeTest, SubmitDeliversResultsAndExceptions) {
  TaskScope scope;
  std::future<int> answer = scope.submit([](std::stop_token) { return 42; });
  std::future<void> failure = scope.submit([](std::stop_token) { throw std::runtime_error("no"); });
  EXPECT_EQ(answer.get(), 42);
  EXPECT_THROW(failure.get(), std::runtime_error);
  scope.join();  // the exception went to the future, not to join
}

TEST(TaskScopeTest, TasksMaySpawnWhileTheOwnerIsInJoin) {
  std::atomic<int> ran{0};
  std::atomic<bool> owner_joining{false};
  TaskScope scope(2);
  // A chain of tasks, each spawning the next once the owner is waiting in join().
  std::function<void(std::stop_token, int)> step = [&](std::stop_token, int left) {
    while (!owner_joining.load()) std::this_thread::yield();
    ++ran;
    if (left > 0) scope.spawn([&step, left](std::stop_token stop) { step(stop, left - 1); });
  };
  scope.spawn([&step](std::stop_token stop) { step(stop, 20); });
  owner_joining = true;  // join() begins right after; the chain keeps spawning into it
  scope.join();
  EXPECT_EQ(ran.load(), 21) << "join() returned before the tasks spawned during it finished";
}

TEST(TaskScopeDeathTest, SpawnAfterJoinAborts) {
  TaskScope scope(1);
  scope.join();
  EXPECT_DEATH(scope.spawn([](std::stop_token) {}), "spawn after join");
}

}  // namespace
}  // namespace memsafe
