// The driver shared by the memory-scenario programs that `memsafe baseline` measures
// (sanitizers/memory-baseline.json).
//
// Each program links only what its scenarios exercise, so a scenario's peak resident set
// is that of a program a user would write with the same libraries: the secure-memory
// scenarios never carry the memsafe tool's code, and the tool growing never moves them.
//
//   PROGRAM --list       the scenarios, one per line: name TAB description
//   PROGRAM --compiler   the compiler that built it
//   PROGRAM SCENARIO [SCALE]
//
// SCALE (default 1) multiplies how long a scenario runs, never how much it holds at
// once: a scenario run at scale 2 must have the same peak as at scale 1, or memory grows
// over time. Every scenario is single-threaded and deterministic, so Valgrind massif
// measures the same peak on every run of the same build.
//
// MEMSAFE_SCENARIO_EXTRA_BYTES=N makes a scenario hold N more heap bytes for its whole
// run: the planted regression that proves the gate fails (tests/harness).
//
// Example:
//   constexpr memsafe::bench::MemoryScenario kScenarios[] = {{"churn", Churn, "what it does"}};
//   int main(int argc, char** argv) { return memsafe::bench::RunMemoryScenarios(argc, argv, kScenarios); }
//
// Single-threaded; failures print one line on stderr and return a nonzero status.
#pragma once

#include <span>
#include <vector>

namespace memsafe::bench {

struct MemoryScenario {
  const char* name;
  int (*run)(int scale);  // 0 on success
  const char* what;
};

// Extra heap bytes held while it lives when a regression is planted; written, so they
// count in the resident set too. A scenario holds one for its whole run.
class PlantedRegression {
 public:
  PlantedRegression();

 private:
  std::vector<char> bytes_;
};

// Prints "memory scenario failed: WHAT" and returns 1.
int ScenarioFailed(const char* what);

// Parses argv as above, runs the named scenario and prints `peak_rss_kib=N` after it.
// Returns the scenario's status, or 2 on bad arguments.
int RunMemoryScenarios(int argc, char** argv, std::span<const MemoryScenario> scenarios);

}  // namespace memsafe::bench
