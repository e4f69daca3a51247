// `memsafe baseline run | check | update`: peak memory of the memory scenarios against
// the recorded baseline.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "baseline.h"
#include "cli/cli.h"
#include "common/commands.h"
#include "common/process.h"
#include "common/text.h"

namespace memsafe::cli {
namespace {

using tools::kClean;
using tools::kFindings;
using tools::kUsage;

// The first line a program prints on stdout, or "" when it cannot run.
std::string FirstLineOf(const std::vector<std::string>& args) {
  tools::ProcessOptions options;
  options.capture_stdout = true;
  const tools::ProcessResult result = tools::RunProcess(args, options);
  std::string line = result.output.substr(0, result.output.find('\n'));
  while (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

struct BaselineOptions {
  std::string file = "sanitizers/memory-baseline.json";
  // One program per library measured (bench/memory_scenario_main.h).
  std::vector<std::string> scenarios = {"build/dev/bench/memsafe_memory_scenarios",
                                        "build/dev/bench/memsafe_tool_memory_scenarios"};
  std::string valgrind = "valgrind";
  std::vector<std::string> only;
  std::string measured;  // where this run's measurements go, in the baseline's format
};

// The scenarios to measure: every one the programs list, or those named by --only, each
// of which must be listed (a misspelt name measures nothing and passes nothing).
bool SelectScenarios(const BaselineOptions& options, std::vector<tools::ScenarioProgram>* selected) {
  std::vector<tools::ScenarioProgram> listed;
  std::string error;
  if (!tools::ListScenarios(options.scenarios, &listed, &error)) {
    std::cerr << "memsafe baseline: " << error << "\n";
    return false;
  }
  if (options.only.empty()) {
    *selected = std::move(listed);
    return true;
  }
  for (const std::string& name : options.only) {
    const auto match = std::find_if(listed.begin(), listed.end(),
                                    [&](const tools::ScenarioProgram& item) { return item.scenario == name; });
    if (match == listed.end()) {
      std::cerr << "memsafe baseline: no scenario '" << name << "' in " << tools::Join(options.scenarios, ", ") << "\n";
      return false;
    }
    selected->push_back(*match);
  }
  return true;
}

int Baseline(const std::string& action, const BaselineOptions& options) {
  using namespace tools;
  std::vector<ScenarioProgram> selected;
  if (!SelectScenarios(options, &selected)) return kUsage;
  BaselineFile baseline;
  std::string text;
  const bool have_file = ReadWholeFile(options.file, &text);
  std::string error;
  if (have_file && !ReadBaseline(text, &baseline, &error)) {
    std::cerr << options.file << ": " << error << "\n";
    return kUsage;
  }
  if (action == "check" && !have_file) {
    std::cerr << "memsafe baseline: no baseline file '" << options.file << "' (create it with update)\n";
    return kUsage;
  }
  std::vector<Measurement> measured;
  std::printf("%-26s %16s %16s %9s %12s\n", "SCENARIO", "PEAK HEAP (B)", "AT 2X (B)", "GROWTH", "PEAK RSS KiB");
  for (const ScenarioProgram& item : selected) {
    const std::string& name = item.scenario;
    Measurement m;
    if (!MeasureScenario(item.program, options.valgrind, name, &m, &error)) {
      std::cerr << "memsafe baseline: " << error << "\n";
      return kUsage;
    }
    const double growth = m.peak_heap_bytes == 0
                              ? 0.0
                              : (static_cast<double>(m.peak_heap_bytes_2x) - static_cast<double>(m.peak_heap_bytes)) *
                                    100.0 / static_cast<double>(m.peak_heap_bytes);
    std::printf(
        "%-26s %16llu %16llu %8.1f%% %12llu\n", name.c_str(), static_cast<unsigned long long>(m.peak_heap_bytes),
        static_cast<unsigned long long>(m.peak_heap_bytes_2x), growth, static_cast<unsigned long long>(m.peak_rss_kib));
    std::fflush(stdout);
    measured.push_back(m);
  }
  if (!options.measured.empty()) {
    BaselineFile now;
    now.threshold_percent = baseline.threshold_percent;
    now.rationale = "What one run measured (memsafe baseline --measured), not a baseline to compare with.";
    now.environment["date"] = tools::FormatDate(tools::Today());
    for (const Measurement& m : measured) now.scenarios[m.scenario] = m;
    if (!WriteText(options.measured, WriteBaseline(now))) {
      std::cerr << "memsafe baseline: cannot write " << options.measured << "\n";
      return kUsage;
    }
  }
  if (action == "run") return kClean;
  if (action == "update") {
    if (baseline.rationale.empty()) {
      baseline.rationale =
          "Peak heap from Valgrind massif (deterministic for these single-threaded scenarios) and peak RSS of a "
          "native run (its VmHWM, in a program that links only the library the scenario measures, so one "
          "library's code never counts in another's RSS), for the dev build. A check fails when either grows by more "
          "than threshold_percent, or "
          "when running a scenario twice as long raises its peak (memory that grows over time). Regenerate "
          "with `memsafe baseline update` only for a change that is meant to use more memory, and say why in "
          "the commit.";
    }
    baseline.environment["date"] = tools::FormatDate(tools::Today());
    baseline.environment["valgrind"] = FirstLineOf({options.valgrind, "--version"});
    baseline.environment["compiler"] = FirstLineOf({options.scenarios.front(), "--compiler"});
    baseline.environment["build"] = "dev preset (Debug, -O0)";
    for (const Measurement& m : measured) baseline.scenarios[m.scenario] = m;
    if (!WriteText(options.file, WriteBaseline(baseline))) return kUsage;
    std::cout << "memsafe baseline: wrote " << measured.size() << " scenario(s) to " << options.file << "\n";
    return kClean;
  }
  int failures = 0;
  std::printf("\n%-26s %-24s %14s %14s %9s\n", "SCENARIO", "MEASURE", "BASELINE", "NOW", "DELTA");
  for (const Verdict& v : Compare(baseline, measured, options.only.empty())) {
    failures += v.failed ? 1 : 0;
    std::printf("%-26s %-24s %14.0f %14.0f %+8.1f%%%s\n", v.scenario.c_str(), v.what.c_str(), v.baseline, v.measured,
                v.delta_percent, v.failed ? "  FAIL" : "");
  }
  std::printf("memsafe baseline check: %d regression(s) beyond %.1f%% (baseline %s, %s)\n", failures,
              baseline.threshold_percent, options.file.c_str(),
              baseline.environment.count("date") ? baseline.environment.at("date").c_str() : "undated");
  return failures == 0 ? kClean : kFindings;
}

}  // namespace

void AddBaselineCommand(CLI::App& app, int* status) {
  auto state = std::make_shared<BaselineOptions>();
  CLI::App* baseline = app.add_subcommand("baseline", "Peak memory of the memory scenarios against the baseline");
  baseline->require_subcommand(1);
  for (const char* action : {"run", "check", "update"}) {
    CLI::App* sub = baseline->add_subcommand(action, std::string(action) == "run" ? "Measure and print"
                                                     : std::string(action) == "check"
                                                         ? "Measure and compare; exit 1 on a regression"
                                                         : "Measure and rewrite the baseline file");
    sub->add_option("--file", state->file, "The baseline (default: sanitizers/memory-baseline.json)");
    sub->add_option("--scenarios", state->scenarios,
                    "A scenario program (repeatable; default: build/dev/bench/memsafe_memory_scenarios and "
                    "build/dev/bench/memsafe_tool_memory_scenarios)");
    sub->add_option("--valgrind", state->valgrind, "Valgrind to run massif with");
    sub->add_option("--only", state->only, "Only this scenario (repeatable)");
    sub->add_option("--measured", state->measured,
                    "Also write what this run measured to this file, in the baseline's format (memsafe history "
                    "record --baseline reads it)");
    sub->callback([state, status, action] { *status = Baseline(action, *state); });
  }
}

}  // namespace memsafe::cli
