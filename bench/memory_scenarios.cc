// memsafe_memory_scenarios: the workloads whose peak memory `memsafe baseline`
// measures and gates on (sanitizers/memory-baseline.json).
//
//   memsafe_memory_scenarios --list       the scenarios, one per line: name TAB description
//   memsafe_memory_scenarios --compiler   the compiler that built it
//   memsafe_memory_scenarios SCENARIO [SCALE]
//
// SCALE (default 1) multiplies how long a scenario runs, never how much it holds at
// once: a scenario run at scale 2 must have the same peak as at scale 1, or memory grows
// over time. Every scenario is single-threaded and deterministic, so Valgrind massif
// measures the same peak on every run of the same build.
//
// MEMSAFE_SCENARIO_EXTRA_BYTES=N makes a scenario hold N more heap bytes for its whole
// run: the planted regression that proves the gate fails (tests/harness).
#include <fcntl.h>
#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "memsafe/resource_registry.h"
#include "memsafe/secure_buffer.h"
#include "memsafe/secure_pool.h"
#include "memsafe/sqlite_pool.h"
#include "report/report.h"
#include "report/report_output.h"

namespace {

namespace fs = std::filesystem;

// Extra heap bytes held for the duration of a scenario when a regression is planted;
// written, so they count in the resident set too.
class PlantedRegression {
 public:
  PlantedRegression() {
    const char* extra = std::getenv("MEMSAFE_SCENARIO_EXTRA_BYTES");
    if (extra != nullptr) bytes_.assign(std::strtoul(extra, nullptr, 10), 1);
  }

 private:
  std::vector<char> bytes_;
};

int Fail(const char* what) {
  std::fprintf(stderr, "memory scenario failed: %s\n", what);
  return 1;
}

// One million create/destroy cycles of a 32-byte secret, per unit of scale.
int SecureStringLifecycles(int scale) {
  const PlantedRegression planted;
  std::size_t total = 0;
  for (long i = 0; i < 1'000'000L * scale; ++i) {
    auto secret = memsafe::SecureString::FromUtf8("correct horse battery staple 123");
    if (!secret.ok()) return Fail("FromUtf8");
    total += secret->size();
  }
  return total == 32u * 1'000'000u * static_cast<unsigned>(scale) ? 0 : Fail("sizes");
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
  return pool.stats().used_bytes == 0 ? 0 : Fail("blocks still in use");
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
  return registry.snapshot().active() == 0 ? 0 : Fail("resources still live");
}

// A SQLite pool of four connections: checkouts, writes and reads, round after round.
int SqlitePoolChurn(int scale) {
  const fs::path path = fs::temp_directory_path() / ("memsafe-scenario-" + std::to_string(::getpid()) + ".db");
  const PlantedRegression planted;
  {
    memsafe::ResourceRegistry registry;
    auto pool = memsafe::SqlitePool::Open(path.string(), {}, registry);
    if (!pool.ok()) return Fail("open");
    {
      auto db = (*pool)->checkout(std::chrono::seconds(5));
      if (!db.ok() || !db->exec("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT)").ok()) return Fail("schema");
    }
    for (int i = 0; i < 2'000 * scale; ++i) {
      auto db = (*pool)->checkout(std::chrono::seconds(5));
      if (!db.ok()) return Fail("checkout");
      if (!db->exec("INSERT INTO items(name) VALUES ('item'); DELETE FROM items WHERE id % 2 = 0").ok()) {
        return Fail("write");
      }
      if (!db->query_int("SELECT count(*) FROM items").ok()) return Fail("read");
    }
  }
  std::error_code error;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix, error);
  return 0;
}

// memsafe report over 1,000 logs: the captured canary reports copied under new test
// names into one memcheck directory, then read, deduplicated and written in every
// format, once per unit of scale.
int ReportLargeLogSet(int scale) {
  const fs::path source = fs::path(MEMSAFE_SCENARIO_SOURCE_DIR) / "tests/unit/tools/testdata/reports";
  const fs::path work = fs::temp_directory_path() / ("memsafe-scenario-logs-" + std::to_string(::getpid()));
  const fs::path logs = work / "scenario" / "memcheck";
  std::error_code error;
  fs::create_directories(logs, error);
  std::vector<fs::path> captured;
  for (const auto& item : fs::recursive_directory_iterator(source, error)) {
    const std::string name = item.path().filename().string();
    if (item.is_regular_file() && name.find(".expected") == std::string::npos) captured.push_back(item.path());
  }
  if (captured.empty()) return Fail("no captured reports");
  for (int i = 0; i < 1'000; ++i) {
    const fs::path& from = captured[static_cast<std::size_t>(i) % captured.size()];
    // <test>.<tool>.<pid>[.xml]: a new test name, the captured tool and suffix.
    std::string name = from.filename().string();
    name = "scenario_test.Case" + std::to_string(i) + name.substr(name.find('.', name.find('.') + 1));
    fs::copy_file(from, logs / name, fs::copy_options::overwrite_existing, error);
  }
  const PlantedRegression planted;
  std::size_t rows = 0;
  for (int round = 0; round < scale; ++round) {
    std::vector<memsafe::tools::InputError> errors;
    const memsafe::tools::ReportContext context{"/work/main/", {"/work/main/build/"}, {}};
    const memsafe::tools::LogSet set = memsafe::tools::CollectLogs({work.string()}, &errors);
    const std::vector<memsafe::tools::Group> groups =
        memsafe::tools::Deduplicate(memsafe::tools::ReadLogs(set, context, &errors));
    memsafe::tools::ReportSummary summary;
    summary.logs = static_cast<int>(set.files.size());
    rows += groups.size();
    // The text is discarded: building it is the memory being measured.
    rows += memsafe::tools::FormatSarif(groups, context).empty() ? 0 : 1;
    rows += memsafe::tools::FormatJson(groups, summary).empty() ? 0 : 1;
    rows += memsafe::tools::FormatJunit(groups).empty() ? 0 : 1;
    rows += memsafe::tools::FormatMarkdown(groups, summary).empty() ? 0 : 1;
  }
  fs::remove_all(work, error);
  return rows > 0 ? 0 : Fail("no findings read");
}

struct Scenario {
  const char* name;
  int (*run)(int scale);
  const char* what;
};

constexpr Scenario kScenarios[] = {
    {"secure-string-lifecycles", SecureStringLifecycles, "1,000,000 SecureString create/destroy cycles"},
    {"secure-pool-load", SecurePoolLoad, "4,096 live pool blocks of mixed sizes, 200,000 replacements"},
    {"registry-100k-live", Registry100kLive, "100,000 live resources in a registry, twice"},
    {"sqlite-pool-churn", SqlitePoolChurn, "2,000 checkouts of a 4-connection SQLite pool, each writing and reading"},
    {"report-large-log-set", ReportLargeLogSet, "memsafe report over 1,000 logs: read, deduplicated, every format"},
};

// The peak resident set of this program's own memory (VmHWM of /proc/self/status), in
// KiB; -1 when unknown. Not getrusage: a process started by posix_spawn (vfork) or fork
// inherits its parent's high-water mark across exec, so ru_maxrss would report the
// larger of the caller's footprint and the scenario's.
long PeakRssKib() {
  // No heap: massif measures this process too.
  char text[4096];
  const int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return -1;
  text[n] = '\0';
  const char* line = std::strstr(text, "VmHWM:");
  return line == nullptr ? -1 : std::atol(line + 6);
}

// The line `memsafe baseline` reads, written without stdio's heap buffer.
void PrintPeakRss() {
  char line[64];
  const int length = std::snprintf(line, sizeof line, "peak_rss_kib=%ld\n", PeakRssKib());
  // Best effort: a reader that closed the pipe has no use for the figure.
  (void)!write(STDOUT_FILENO, line, static_cast<size_t>(length));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--compiler") == 0) {
#if defined(__clang__)
    std::printf("clang %s\n", __clang_version__);
#else
    std::printf("gcc %s\n", __VERSION__);
#endif
    return 0;
  }
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const Scenario& scenario : kScenarios) std::printf("%s\t%s\n", scenario.name, scenario.what);
    return 0;
  }
  const int scale = argc == 3 ? std::atoi(argv[2]) : 1;
  if ((argc != 2 && argc != 3) || scale < 1) {
    std::fprintf(stderr, "USAGE: memsafe_memory_scenarios --list | SCENARIO [SCALE>=1]\n");
    return 2;
  }
  for (const Scenario& scenario : kScenarios) {
    if (std::strcmp(argv[1], scenario.name) != 0) continue;
    const int status = scenario.run(scale);
    PrintPeakRss();
    return status;
  }
  std::fprintf(stderr, "memsafe_memory_scenarios: unknown scenario '%s' (see --list)\n", argv[1]);
  return 2;
}
