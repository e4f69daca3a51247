// Benchmarks of the async-resource library, each beside its baseline from the same run:
//   ResourceRegistry open+close pair  vs a naive mutex + unordered_map registry,
//                                       uncontended and with 2 threads
//   Limiter acquire+release            vs a plain mutex lock+unlock
//   SqlitePool checkout+return         vs opening a fresh connection each time
//
// Run: build/release/bench/memsafe_resource_bench   (after cmake --workflow --preset release)
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_map>

#include "memsafe/limiter.h"
#include "memsafe/resource.h"
#include "memsafe/resource_registry.h"
#include "memsafe/sqlite_pool.h"
#include "ratio_reporter.h"

namespace memsafe::bench {
namespace {

// What a first version of a registry looks like: a map from id to a record.
class NaiveRegistry {
 public:
  std::uint64_t Open(const char* kind, std::string_view label) {
    std::lock_guard<std::mutex> guard(mutex_);
    const std::uint64_t id = ++next_;
    live_.emplace(id, Record{kind, std::string(label), std::chrono::steady_clock::now()});
    return id;
  }
  void Close(std::uint64_t id) {
    std::lock_guard<std::mutex> guard(mutex_);
    live_.erase(id);
  }

 private:
  struct Record {
    const char* kind;
    std::string label;
    std::chrono::steady_clock::time_point opened_at;
  };
  std::mutex mutex_;
  std::uint64_t next_ = 0;
  std::unordered_map<std::uint64_t, Record> live_;
};

ResourceRegistry& SharedRegistry() {
  static ResourceRegistry* registry = new ResourceRegistry;
  return *registry;
}
NaiveRegistry& SharedNaive() {
  static NaiveRegistry* registry = new NaiveRegistry;
  return *registry;
}

void RegistryPair(benchmark::State& state) {
  ResourceRegistry& registry = SharedRegistry();
  for (auto _ : state) {
    const std::uint64_t id = registry.Register("bench", "resource", nullptr, nullptr);
    registry.Unregister(id, true);
  }
}

void NaivePair(benchmark::State& state) {
  NaiveRegistry& registry = SharedNaive();
  for (auto _ : state) registry.Close(registry.Open("bench", "resource"));
}

Status CloseNothing(int&) { return Status::Ok(); }

void ResourceHandlePair(benchmark::State& state) {
  ResourceRegistry& registry = SharedRegistry();
  for (auto _ : state) {
    Resource<int> r(registry, "bench", "resource", 1, &CloseNothing);
    benchmark::DoNotOptimize(&r);
  }
}

void LimiterPair(benchmark::State& state) {
  static Limiter* limiter = new Limiter(1000);
  for (auto _ : state) {
    std::optional<Limiter::Unit> unit = limiter->try_acquire();
    benchmark::DoNotOptimize(&unit);
  }
}

void MutexPair(benchmark::State& state) {
  static std::mutex mutex;
  for (auto _ : state) {
    std::lock_guard<std::mutex> guard(mutex);
    benchmark::ClobberMemory();
  }
}

std::string BenchDatabase() {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/memsafe-bench-" + std::to_string(getpid()) +
         ".db";
}

void PoolCheckout(benchmark::State& state) {
  ResourceRegistry registry;
  auto pool = SqlitePool::Open(BenchDatabase(), {.max_connections = 2}, registry);
  if (!pool.ok()) {
    state.SkipWithError("cannot open the database");
    return;
  }
  for (auto _ : state) {
    Result<SqlitePool::Connection> db = (*pool)->checkout(std::chrono::seconds(1));
    benchmark::DoNotOptimize(db->get());
  }
}

void FreshConnection(benchmark::State& state) {
  const std::string path = BenchDatabase();
  for (auto _ : state) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) != SQLITE_OK) {
      state.SkipWithError("cannot open the database");
    }
    sqlite3_close(db);
  }
}

}  // namespace
}  // namespace memsafe::bench

int main(int argc, char** argv) {
  using namespace memsafe::bench;
  benchmark::RegisterBenchmark("registry/naive-map/pair", NaivePair)->Threads(1)->Threads(2);
  benchmark::RegisterBenchmark("registry/ResourceRegistry/pair", RegistryPair)->Threads(1)->Threads(2);
  benchmark::RegisterBenchmark("registry/Resource<int>/pair", ResourceHandlePair)->Threads(1)->Threads(2);
  benchmark::RegisterBenchmark("limiter/mutex-lock+unlock", MutexPair);
  benchmark::RegisterBenchmark("limiter/Limiter/try_acquire+release", LimiterPair);
  benchmark::RegisterBenchmark("sqlite/fresh-connection", FreshConnection)->UseRealTime();
  benchmark::RegisterBenchmark("sqlite/SqlitePool/checkout+return", PoolCheckout)->UseRealTime();
  std::vector<Comparison> comparisons = {
      {"registry/ResourceRegistry/pair/threads:1", "registry/naive-map/pair/threads:1", false},
      {"registry/ResourceRegistry/pair/threads:2", "registry/naive-map/pair/threads:2", false},
      {"registry/Resource<int>/pair/threads:1", "registry/naive-map/pair/threads:1", false},
      {"registry/Resource<int>/pair/threads:2", "registry/naive-map/pair/threads:2", false},
      {"limiter/Limiter/try_acquire+release", "limiter/mutex-lock+unlock", false},
      {"sqlite/SqlitePool/checkout+return/real_time", "sqlite/fresh-connection/real_time", false},
  };
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  RatioReporter reporter(std::move(comparisons));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const std::string db = BenchDatabase();
  for (const char* suffix : {"", "-wal", "-shm"}) (void)unlink((db + suffix).c_str());  // (void): cleanup
  return 0;
}
