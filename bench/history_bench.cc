// The memory history's costs, each beside a baseline measured in the same run:
//   record      one run of 10,000 findings into a fresh database (memsafe history
//               record), beside inserting as many bare rows in one transaction (what
//               any SQLite recorder pays at least);
//   dashboard   the page of 1,000 recorded runs (3 presets, 5 findings each), beside
//               serializing the same timeline as JSON with nlohmann-json, whose size
//               the page's is also compared with (the "bytes" counters).
// Everything is generated into a private temporary directory.
//
// Run: build/release/bench/memsafe_history_bench   (after cmake --workflow --preset release)
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "history/history.h"
#include "ratio_reporter.h"

namespace memsafe::bench {
namespace {

namespace fs = std::filesystem;
using tools::RecordedFinding;
using tools::RecordedPreset;
using tools::RunRecord;

const fs::path& Scratch() {
  static const fs::path dir = [] {
    std::string pattern = (fs::temp_directory_path() / "memsafe-history-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    return fs::path(pattern);
  }();
  return dir;
}

RecordedFinding Finding(int n) {
  char signature[17];
  std::snprintf(signature, sizeof signature, "%016x", n);
  return {signature,
          "heap-buffer-overflow",
          "src/file" + std::to_string(n % 97) + ".cc",
          n % 4000 + 1,
          "f",
          {"asan", "valgrind"},
          {"asan", "valgrind"},
          {"test_" + std::to_string(n % 50)},
          1};
}

RunRecord Run(int findings, const std::string& commit) {
  RunRecord run;
  run.commit = commit;
  run.recorded_at = "2026-12-03T00:00:00Z";
  for (const char* preset : {"asan", "tsan", "valgrind"}) {
    run.presets.push_back({preset, "address", "ok", 300, 0, 0, 0, 8, 8, 120, 60, 180, 3.5});
  }
  // The memory baseline's scenarios, as memsafe's own nightly records them.
  for (const char* scenario : {"secure_pool", "secure_buffer", "secure_string", "resource_registry", "log"}) {
    run.peaks.push_back({scenario, 1 << 20, 1 << 20, 4096});
  }
  for (int i = 0; i < findings; ++i) run.findings.push_back(Finding(i));
  return run;
}

// A fresh database file for each iteration of every call of a benchmark (Google Benchmark
// calls each more than once).
std::string FreshPath(const char* stem) {
  static int count = 0;
  return (Scratch() / (std::string(stem) + std::to_string(count++) + ".db")).string();
}

void BM_Record10000Findings(benchmark::State& state) {
  for (auto _ : state) {
    const std::string path = FreshPath("record-");
    state.PauseTiming();
    RunRecord run = Run(10000, "c1");
    state.ResumeTiming();
    std::string error;
    std::unique_ptr<tools::History> history = tools::History::Open(path, &error, /*create=*/true);
    if (!history || !history->Record(run, &error)) state.SkipWithError(error.c_str());
  }
}

void BM_InsertBareRows10000(benchmark::State& state) {
  for (auto _ : state) {
    const std::string path = FreshPath("bare-");
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK ||
        sqlite3_exec(db, "CREATE TABLE t(a TEXT, b TEXT); BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
      state.SkipWithError("sqlite");
    }
    sqlite3_stmt* insert = nullptr;
    (void)sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?, ?)", -1, &insert, nullptr);  // checked by the step
    for (int i = 0; i < 10000; ++i) {
      const RecordedFinding f = Finding(i);
      (void)sqlite3_bind_text(insert, 1, f.signature.c_str(), -1, SQLITE_TRANSIENT);  // checked by the step
      (void)sqlite3_bind_text(insert, 2, f.file.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(insert) != SQLITE_DONE) state.SkipWithError("insert");
      (void)sqlite3_reset(insert);  // repeats the step's status, already checked
    }
    (void)sqlite3_finalize(insert);
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) state.SkipWithError("commit");
    (void)sqlite3_close(db);
  }
}

const std::vector<RunRecord>& Timeline() {
  static const std::vector<RunRecord> timeline = [] {
    std::vector<RunRecord> runs;
    for (int i = 0; i < 1000; ++i) {
      RunRecord run = Run(5, "commit" + std::to_string(i));
      run.id = i + 1;
      for (RecordedFinding& f : run.findings) f.signature = std::to_string((i / 100) * 10 + f.line);
      runs.push_back(std::move(run));
    }
    return runs;
  }();
  return timeline;
}

void BM_Dashboard1000Runs(benchmark::State& state) {
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string page = tools::FormatHistoryHtml(Timeline(), "https://example.org/blob/main/");
    bytes = page.size();
    benchmark::DoNotOptimize(page.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}

void BM_TimelineAsJson1000Runs(benchmark::State& state) {
  size_t bytes = 0;
  for (auto _ : state) {
    nlohmann::json runs = nlohmann::json::array();
    for (const RunRecord& run : Timeline()) {
      nlohmann::json entry = {{"commit", run.commit}, {"at", run.recorded_at}};
      for (const RecordedPreset& p : run.presets) {
        entry["presets"].push_back({{"preset", p.preset}, {"tests", p.tests}, {"seconds", p.test_seconds}});
      }
      for (const RecordedFinding& f : run.findings) {
        entry["findings"].push_back({{"signature", f.signature}, {"kind", f.kind}, {"file", f.file}, {"line", f.line}});
      }
      runs.push_back(std::move(entry));
    }
    const std::string text = runs.dump();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}

BENCHMARK(BM_InsertBareRows10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Record10000Findings)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TimelineAsJson1000Runs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dashboard1000Runs)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace memsafe::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  memsafe::bench::RatioReporter reporter({{"BM_Record10000Findings", "BM_InsertBareRows10000", false},
                                          {"BM_Dashboard1000Runs", "BM_TimelineAsJson1000Runs", false}});
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  std::error_code ignored;
  (void)std::filesystem::remove_all(memsafe::bench::Scratch(), ignored);  // best effort: a temporary directory
  return 0;
}
