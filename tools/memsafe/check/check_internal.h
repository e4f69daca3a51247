// What check.cc (the run as a whole) and preset_run.cc (one preset's configure, build and
// test) share: the context of the run and the commands of a preset, planned before
// they run (check.h is the interface).
//
// Thread-safety: one run at a time; RunPreset runs child processes and prints.
#ifndef MEMSAFE_TOOLS_CHECK_CHECK_INTERNAL_H_
#define MEMSAFE_TOOLS_CHECK_CHECK_INTERNAL_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "check/check_summary.h"
#include "check/ctest_results.h"
#include "check/presets.h"
#include "check/result_cache.h"
#include "common/process.h"

namespace memsafe::tools {

using Clock = std::chrono::steady_clock;

inline int SecondsSince(Clock::time_point start) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start).count());
}

struct RunContext {
  std::string source;
  bool slow = false;
  bool use_cache = false;                               // the quick memory-check run
  int jobs = 0;                                         // ctest -j; 0: the test preset's
  std::vector<std::string> cache_files;                 // what every test depends on (sanitizers/, presets)
  int shard_index = 0, shard_count = 0;                 // 0: no sharding
  std::vector<std::string> tests;                       // --test: only these (and the canaries)
  std::vector<std::string> test_switches;               // the project's (FindTestSwitches), by name
  ProcessOptions child;                                 // environment of every child
  std::optional<std::vector<TestResult>> fast_results;  // for the overhead
};

// The commands of a preset's run, planned before they run: --dry-run prints them and the
// run executes these same vectors. The test commands are planned once the tree is built
// (a shard's canaries are read from it); only the result cache adds to them, once the
// build says which tests are unchanged (ctest's "-E <tests it leaves out>").
struct BuildCommands {
  std::vector<std::string> configure, build;
};
struct TestCommands {
  std::vector<std::string> ctest_base;        // the preset and its tree: also the cache's listing
  std::vector<std::string> selection;         // which tests: the same for the run and the listing
  std::vector<std::string> ctest;             // the run
  std::vector<std::string> undefined_tests;   // named with --test, not defined by the tree
  std::vector<std::string> selection_errors;  // a listing for a shard or --test that failed
};

// The quick run's result cache for one preset: what it remembers, the keys of the tests
// the run selects, and the tests it leaves out.
struct CachePlan {
  std::string path;
  ResultCache cache;
  int clean_runs_needed = kCleanRunsNeeded;
  std::map<std::string, CacheEntry> keys;
  std::vector<std::string> cached, cached_skips;  // passes and skips left out of the run
  CacheContext context;                           // what the keys were computed with
};

// Loads the cache, computes the keys of the tests `listed` names (ctest --show-only's
// JSON, the run's own selection) and adds to `ctest` an "-E" of the exact names of
// those that passed (or skipped themselves) with the same key often enough in a row;
// says what it left out. Nothing is added without a listing or with a cache it cannot
// read: every test runs.
void PlanCache(const TestPreset& preset, const RunContext& context, const ProcessResult& listed, bool have_listing,
               CachePlan* plan, std::vector<std::string>* ctest);

// Runs a step with its output going to the user, and says what ran; true when it
// started and exited 0.
bool Step(const std::vector<std::string>& args, const ProcessOptions& options);

BuildCommands PlanBuildCommands(const TestPreset& preset, const RunContext& context);
// After the build: the selection (shard, --test, slow label) is read from the tree.
TestCommands PlanTestCommands(const TestPreset& preset, const RunContext& context);

// One preset of the run: configure (unless up to date), build, test, judge.
PresetRun RunPreset(const TestPreset& preset, const RunContext& context);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_CHECK_CHECK_INTERNAL_H_
