// Memory baselines: the peak heap (Valgrind massif) and peak resident set of named
// scenarios, kept in a version-controlled JSON file and compared on every check.
//
// A scenario is a run of one of the scenario programs (bench/memory_scenario_main.h:
// `<program> <name> <scale>`). Each is measured at scale 1 and scale 2: the same work
// done twice as long must reach the same peak, or memory grows over time.
//
// Example:
//   BaselineFile file;
//   std::string error;
//   if (!ReadBaseline(text, &file, &error)) { ... }
//   std::vector<Measurement> now = ...;  // MeasureScenario for each name
//   std::vector<Verdict> verdicts = Compare(file, now);
//
// Thread-safety: the functions share no state. Failure: MeasureScenario returns false
// with a message when the scenario or Valgrind cannot run or fails; ReadBaseline when
// the file is not what WriteBaseline writes. Compare never fails.
#ifndef MEMSAFE_TOOLS_BASELINE_H_
#define MEMSAFE_TOOLS_BASELINE_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace memsafe::tools {

struct Measurement {
  std::string scenario;
  std::uint64_t peak_heap_bytes = 0;     // massif: heap plus allocator overhead, at scale 1
  std::uint64_t peak_heap_bytes_2x = 0;  // the same at scale 2
  std::uint64_t peak_rss_kib = 0;        // the scenario's own VmHWM in a native run at scale 1
};

struct BaselineFile {
  double threshold_percent = 10.0;
  std::string rationale;
  std::map<std::string, std::string> environment;  // tool and compiler versions, date
  std::map<std::string, Measurement> scenarios;
};

bool ReadBaseline(const std::string& text, BaselineFile* file, std::string* error);
std::string WriteBaseline(const BaselineFile& file);

struct Verdict {
  std::string scenario;
  std::string what;  // "peak heap", "peak RSS", "growth at 2x", "missing from the baseline"
  double baseline = 0;
  double measured = 0;
  double delta_percent = 0;
  bool failed = false;
};

// Every comparison, failed or not, in scenario order. With `every_scenario` (a check of
// the whole baseline, not of --only names), a baseline scenario missing from `measured`
// is a failed verdict of its own.
std::vector<Verdict> Compare(const BaselineFile& baseline, const std::vector<Measurement>& measured,
                             bool every_scenario);

// A scenario and the program that runs it.
struct ScenarioProgram {
  std::string scenario;
  std::string program;
};

// The scenarios of several programs from what each printed for `--list` (one
// `name TAB description` per line), in program order. False with a message when a
// program lists none, or when two programs (or one, twice) define the same name: which
// one ran would depend on the order of the arguments.
bool ScenariosFromListings(const std::vector<std::pair<std::string, std::string>>& program_listings,
                           std::vector<ScenarioProgram>* out, std::string* error);

// Runs `<program> --list` for each program and reads the listings as above; false with a
// message when a program cannot run or fails.
bool ListScenarios(const std::vector<std::string>& programs, std::vector<ScenarioProgram>* out, std::string* error);

// Runs the scenario natively (peak RSS) and twice under massif (scales 1 and 2).
bool MeasureScenario(const std::string& binary, const std::string& valgrind, const std::string& scenario,
                     Measurement* out, std::string* error);

// The largest heap + extra-heap of a massif output file's snapshots.
bool PeakFromMassif(const std::string& text, std::uint64_t* peak);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_BASELINE_H_
