#include "check/check_summary.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

#include "common/text.h"

namespace memsafe::tools {
namespace {

std::string OverheadText(const PresetRun& run) {
  if (!run.overhead) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.1fx", *run.overhead);
  return text;
}

std::string Caught(const PresetRun& run) {
  return std::to_string(run.counts.caught) + "/" + std::to_string(run.counts.canaries);
}

}  // namespace

void AddCachedResults(const std::vector<std::string>& passed, const std::vector<std::string>& skipped, PresetRun* run) {
  run->cached += static_cast<int>(passed.size());
  run->counts.run += static_cast<int>(passed.size());
  run->cached_skips += static_cast<int>(skipped.size());
  run->counts.skipped += static_cast<int>(skipped.size());
  for (const std::string& name : skipped) run->counts.skipped_names.push_back(name + " (cached)");
}

namespace {

// A memory preset whose results hold memsafe's canaries and nothing else.
bool NoProjectTest(const PresetRun& run) {
  const ResultCounts& c = run.counts;
  return !run.tools.empty() && !run.sharded && c.run + c.not_run + c.skipped - c.canaries <= 0;
}

}  // namespace

bool JudgeRun(PresetRun* run) {
  run->problems.clear();
  const ResultCounts& c = run->counts;
  if (!run->missing.empty()) {
    run->problems.push_back(run->label + ": not run, missing " + Join(run->missing, ", "));
    return false;
  }
  if (!run->configured) {
    run->problems.push_back(run->label + ": configure failed (see the log above)");
    return false;
  }
  if (!run->built) {
    run->problems.push_back(run->label + ": build failed (see the log above)");
    return false;
  }
  if (!run->tested) {
    run->problems.push_back(run->label + ": CTest left no results (see the log above)");
    return false;
  }
  if (c.failed > 0) {
    run->problems.push_back(run->label + ": " + std::to_string(c.failed) + " of " + std::to_string(c.run + c.not_run) +
                            " tests failed: " + Join(c.failed_names, ", "));
  }
  if (!run->changed_during_run.empty()) {
    // Results from two builds, and reports symbolized against the wrong binary ('??'):
    // nothing of this run can be trusted, whatever the tests said.
    run->problems.push_back(run->label + ": the build tree changed while its tests ran (" +
                            std::to_string(run->changed_during_run.size()) + " program(s) relinked, replaced or " +
                            "removed: " + Join(run->changed_during_run, ", ") +
                            "): its results may mix two builds and its reports may name no function; run again "
                            "with no build of that tree running at the same time");
  }
  for (const std::string& why : run->unsound) run->problems.push_back(run->label + ": " + why);
  // memsafe's canaries alone prove the tool is on, nothing about the project: a preset
  // that built none of the project's tests (behind a switch of the project's own) must
  // not pass.
  if (NoProjectTest(*run)) {
    std::string why = run->label + ": no test of the project ran, only memsafe's " + std::to_string(c.canaries) +
                      " canaries: are the project's tests behind a switch the presets do not set?";
    why += run->test_switches.empty()
               ? " (none recognised in its CMake files: set it with `memsafe init --set NAME=ON`)"
               : " Switches found: " + Join(run->test_switches, ", ") +
                     " (`memsafe init` sets these ON in the presets it writes; check the presets, or "
                     "`memsafe init --set NAME=ON`)";
    run->problems.push_back(why);
  }
  if (!run->tools.empty() && c.canaries == 0) {
    run->problems.push_back(run->label + ": no canary ran, so nothing shows that " + run->tools +
                            " was active: did the preset lose its flags, or the build its canaries?");
  } else if (c.caught < c.canaries) {
    run->problems.push_back(run->label + ": " + std::to_string(c.canaries - c.caught) + " of " +
                            std::to_string(c.canaries) + " canaries not caught");
  }
  return run->problems.empty();
}

std::string Verdict(const PresetRun& run) {
  if (run.problems.empty()) return "ok";
  if (!run.missing.empty()) return "missing tools";
  if (!run.configured) return "configure failed";
  if (!run.built) return "build failed";
  if (!run.tested) return "no results";
  if (run.counts.failed > 0) return "FAILED";
  if (!run.changed_during_run.empty()) return "tree changed";
  if (!run.unsound.empty()) return "unsound";
  if (NoProjectTest(run)) return "no tests";
  if (run.counts.canaries == 0 && !run.tools.empty()) return "no canaries";
  return "canary missed";
}

std::string FormatSeconds(int seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%dm%02ds", seconds / 60, seconds % 60);
  return text;
}

std::string FormatSummary(const std::vector<PresetRun>& runs) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-22s %6s %9s %8s %9s %8s %8s %9s %8s  %s\n", "PRESET", "TESTS", "FAILURES",
                "SKIPPED", "CANARIES", "BUILD", "TESTS", "OVERHEAD", "WALL", "RESULT");
  out += line;
  for (const PresetRun& run : runs) {
    std::snprintf(line, sizeof line, "%-22s %6d %9d %8d %9s %8s %8s %9s %8s  %s\n", run.label.c_str(), run.counts.run,
                  run.counts.failed, run.counts.skipped, Caught(run).c_str(), FormatSeconds(run.build_seconds).c_str(),
                  FormatSeconds(run.test_seconds).c_str(), OverheadText(run).c_str(),
                  FormatSeconds(run.wall_seconds).c_str(), Verdict(run).c_str());
    out += line;
  }
  out +=
      "OVERHEAD: the preset's test time over the fast preset's, summed over the tests both ran (- without a fast "
      "run)\n";
  for (const PresetRun& run : runs) {
    if (!run.counts.skipped_names.empty()) {
      out += run.label + ": skipped: " + Join(run.counts.skipped_names, ", ") + "\n";
    }
    if (run.cached > 0 || run.cached_skips > 0) {
      out += run.label + ": " + std::to_string(run.cached) + " of " + std::to_string(run.counts.run) + " results and " +
             std::to_string(run.cached_skips) + " of " + std::to_string(run.counts.skipped) +
             " skips from the cache (nothing they depend on changed since they last ran; --no-cache or --slow "
             "runs them)\n";
    }
  }
  return out;
}

std::string FormatSummaryMarkdown(const std::vector<PresetRun>& runs) {
  std::string out =
      "### Memory checks\n\n"
      "| preset | tests | failures | skipped | canaries caught | build | tests | overhead vs fast | wall time | result "
      "|\n"
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n";
  for (const PresetRun& run : runs) {
    out += "| " + run.label + " | " + std::to_string(run.counts.run) + " | " + std::to_string(run.counts.failed) +
           " | " + std::to_string(run.counts.skipped) + " | " + Caught(run) + " | " + FormatSeconds(run.build_seconds) +
           " | " + FormatSeconds(run.test_seconds) + " | " + OverheadText(run) + " | " +
           FormatSeconds(run.wall_seconds) + " | " + Verdict(run) + " |\n";
  }
  std::string problems;
  for (const PresetRun& run : runs) {
    for (const std::string& problem : run.problems) problems += "- " + problem + "\n";
  }
  if (!problems.empty()) out += "\n" + problems;
  return out + "\n";
}

namespace {

bool Complete(const PresetRun& run) {
  return run.missing.empty() && run.configured && run.built && run.tested && run.counts.canaries > 0 &&
         run.counts.caught == run.counts.canaries && run.unsound.empty() && run.changed_during_run.empty() &&
         !run.named_tests_only;
}

}  // namespace

std::string FormatSummaryJson(const std::vector<PresetRun>& runs) {
  nlohmann::ordered_json presets = nlohmann::ordered_json::array();
  for (const PresetRun& run : runs) {
    nlohmann::ordered_json row = {{"preset", run.label},
                                  {"tools", run.tools},
                                  {"result", Verdict(run)},
                                  {"tests", run.counts.run},
                                  {"project_tests", run.counts.run - run.counts.canaries},
                                  {"native_tests", run.native},
                                  {"failures", run.counts.failed},
                                  {"skipped", run.counts.skipped},
                                  {"cached", run.cached},
                                  {"canaries", run.counts.canaries},
                                  {"canaries_caught", run.counts.caught},
                                  {"build_seconds", run.build_seconds},
                                  {"test_seconds", run.test_seconds},
                                  {"wall_seconds", run.wall_seconds},
                                  // null when the fast preset's results were not there to compare with
                                  {"overhead", run.overhead ? nlohmann::ordered_json(*run.overhead) : nullptr},
                                  {"problems", run.problems},
                                  // Whether the preset checked every test it has, with the tool shown on:
                                  // a run whose findings are all there is. A record of the history relies on
                                  // it to call a finding that is gone fixed.
                                  {"complete", Complete(run)}};
    // The preset and which of its shards: the label says "valgrind shard 1/2" to people.
    if (run.sharded) {
      row["shard"] = run.shard;
      row["shard_of"] = run.label.substr(0, run.label.find(" shard "));
    }
    presets.push_back(std::move(row));
  }
  return nlohmann::ordered_json{{"presets", presets}}.dump(2) + "\n";
}

void GtestCaseOfCommand(const std::string& command, std::string* executable, std::string* filter) {
  executable->clear();
  filter->clear();
  const std::vector<std::string> tokens = CommandWords(command);
  constexpr std::string_view kFilter = "--gtest_filter=";
  for (size_t i = 1; i < tokens.size(); ++i) {
    if (tokens[i].rfind(kFilter, 0) != 0) continue;
    *filter = tokens[i].substr(kFilter.size());
    *executable = tokens[i - 1].substr(tokens[i - 1].find_last_of('/') + 1);
    return;
  }
}

std::optional<double> ToolOverhead(const std::vector<TestResult>& fast, const std::vector<TestResult>& preset) {
  std::map<std::string, double> fast_time;        // test name -> seconds
  std::map<std::string, double> executable_time;  // executable -> its cases' seconds
  for (const TestResult& result : fast) {
    if (result.outcome != TestOutcome::kPassed) continue;
    fast_time[result.name] = result.seconds;
    std::string executable, filter;
    GtestCaseOfCommand(result.command, &executable, &filter);
    if (!executable.empty()) {
      executable_time[executable] += result.seconds;
    }
  }
  // Cases the preset ran apart from their executable's batch.
  std::map<std::string, double> apart;
  for (const TestResult& result : preset) {
    const size_t dot = result.name.find('.');
    if (dot == std::string::npos) continue;
    const std::string executable = result.name.substr(0, dot);
    const std::string test_case = result.name.substr(dot + 1);
    if (executable_time.count(executable) != 0 && fast_time.count(test_case) != 0) {
      apart[executable] += fast_time[test_case];
    }
  }
  double tool = 0, base = 0;
  for (const TestResult& result : preset) {
    if (result.outcome != TestOutcome::kPassed) continue;
    const size_t dot = result.name.find('.');
    if (const auto it = fast_time.find(result.name); it != fast_time.end()) {
      tool += result.seconds;
      base += it->second;
    } else if (dot != std::string::npos && executable_time.count(result.name.substr(0, dot)) != 0 &&
               fast_time.count(result.name.substr(dot + 1)) != 0) {
      tool += result.seconds;
      base += fast_time[result.name.substr(dot + 1)];
    } else if (const auto batch = executable_time.find(result.name); batch != executable_time.end()) {
      tool += result.seconds;
      base += batch->second - apart[result.name];
    }
  }
  if (base <= 0) return std::nullopt;
  return tool / base;
}

}  // namespace memsafe::tools
