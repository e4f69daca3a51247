// memsafe_memory_scenarios: workloads of memsafe's secure-memory and resource library
// whose peak memory `memsafe baseline` measures and gates on (sanitizers/memory-baseline.json).
// It links the library and SQLite only: see memory_scenario_main.h for the arguments.
#include <unistd.h>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "memory_scenario_main.h"
#include "memsafe/resource_registry.h"
#include "memsafe/secure_buffer.h"
#include "memsafe/secure_pool.h"
#include "memsafe/sqlite_pool.h"

namespace {

namespace fs = std::filesystem;
using memsafe::bench::PlantedRegression;
using memsafe::bench::ScenarioFailed;

// One million create/destroy cycles of a 32-byte secret, per unit of scale.
int SecureStringLifecycles(int scale) {
  const PlantedRegression planted;
  std::size_t total = 0;
  for (long i = 0; i < 1'000'000L * scale; ++i) {
    auto secret = memsafe::SecureString::FromUtf8("correct horse battery staple 123");
    if (!secret.ok()) return ScenarioFailed("FromUtf8");
    total += secret->size();
  }
  return total == 32u * 1'000'000u * static_cast<unsigned>(scale) ? 0 : ScenarioFailed("sizes");
}

// The pool under load: 4,096 live blocks of mixed sizes, replaced one by one.
int SecurePoolLoad(int scale) {
  memsafe::SecurePool pool;
  constexpr std::size_t kLive = 4096;
  const std::size_t sizes[] = {16, 32, 64, 128, 256, 48, 512};
  std::vector<std::pair<void*, std::size_t>> live(kLive, {nullptr, 0});
  const PlantedRegression planted;
  for (long i = 0; i < 200'000L * scale; ++i) {
    auto& slot = live[static_cast<std::size_t>(i) % kLive];
    if (slot.first != nullptr) pool.deallocate(slot.first, slot.second);
    slot.second = sizes[static_cast<std::size_t>(i) % std::size(sizes)];
    slot.first = pool.allocate(slot.second);
  }
  for (auto& [block, size] : live) {
    if (block != nullptr) pool.deallocate(block, size);
  }
  return pool.stats().used_bytes == 0 ? 0 : ScenarioFailed("blocks still in use");
}

memsafe::Status CloseNothing(void*) noexcept { return memsafe::Status::Ok(); }

// The registry holding 100,000 live resources, released and registered again.
int Registry100kLive(int scale) {
  memsafe::ResourceRegistry registry;
  const PlantedRegression planted;
  std::vector<std::uint64_t> ids;
  ids.reserve(100'000);
  for (int round = 0; round < 2 * scale; ++round) {
    for (int i = 0; i < 100'000; ++i) {
      ids.push_back(registry.Register("scenario", "resource-" + std::to_string(i), CloseNothing, nullptr));
    }
    for (std::uint64_t id : ids) registry.Unregister(id, true);
    ids.clear();
  }
  return registry.snapshot().active() == 0 ? 0 : ScenarioFailed("resources still live");
}

// A SQLite pool of four connections: checkouts, writes and reads, round after round.
int SqlitePoolChurn(int scale) {
  const fs::path path = fs::temp_directory_path() / ("memsafe-scenario-" + std::to_string(::getpid()) + ".db");
  const PlantedRegression planted;
  {
    memsafe::ResourceRegistry registry;
    auto pool = memsafe::SqlitePool::Open(path.string(), {}, registry);
    if (!pool.ok()) return ScenarioFailed("open");
    {
      auto db = (*pool)->checkout(std::chrono::seconds(5));
      if (!db.ok() || !db->exec("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT)").ok())
        return ScenarioFailed("schema");
    }
    for (int i = 0; i < 2'000 * scale; ++i) {
      auto db = (*pool)->checkout(std::chrono::seconds(5));
      if (!db.ok()) return ScenarioFailed("checkout");
      if (!db->exec("INSERT INTO items(name) VALUES ('item'); DELETE FROM items WHERE id % 2 = 0").ok()) {
        return ScenarioFailed("write");
      }
      if (!db->query_int("SELECT count(*) FROM items").ok()) return ScenarioFailed("read");
    }
  }
  std::error_code error;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix, error);
  return 0;
}

constexpr memsafe::bench::MemoryScenario kScenarios[] = {
    {"secure-string-lifecycles", SecureStringLifecycles, "1,000,000 SecureString create/destroy cycles"},
    {"secure-pool-load", SecurePoolLoad, "4,096 live pool blocks of mixed sizes, 200,000 replacements"},
    {"registry-100k-live", Registry100kLive, "100,000 live resources in a registry, twice"},
    {"sqlite-pool-churn", SqlitePoolChurn, "2,000 checkouts of a 4-connection SQLite pool, each writing and reading"},
};

}  // namespace

int main(int argc, char** argv) { return memsafe::bench::RunMemoryScenarios(argc, argv, kScenarios); }
