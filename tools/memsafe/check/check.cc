#include "check/check.h"

#include <sys/stat.h>

#include <ctime>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>

#include "check/check_internal.h"
#include "check/check_summary.h"
#include "check/ctest_results.h"
#include "check/presets.h"
#include "check/result_cache.h"
#include "check/test_switches.h"
#include "common/ci_output.h"
#include "common/commands.h"
#include "common/memory_tools.h"
#include "common/process.h"
#include "common/text.h"
#include "init.h"
#include "report/report_commands.h"
#include "report/report_output.h"
#include "suppressions/options_lint.h"
#include "suppressions/suppression_commands.h"
#include "suppressions/suppressions.h"

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The build tree of the fast, uninstrumented preset: the baseline of the overhead.
const TestPreset* FastPreset(const PresetSet& set) {
  for (const TestPreset& preset : set.test_presets) {
    if (preset.run_by == "check" && preset.tools.empty()) return &preset;
  }
  for (const TestPreset& preset : set.test_presets) {
    if (preset.name == "dev") return &preset;
  }
  return nullptr;
}

// "2026-12-03 14:02 UTC", when `path` was last modified; "an unknown time" when unreadable.
std::string ModifiedAt(const fs::path& path) {
  struct stat info {};
  struct tm utc {};
  char text[32];
  if (stat(path.c_str(), &info) != 0 || gmtime_r(&info.st_mtime, &utc) == nullptr ||
      std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &utc) == 0) {
    return "an unknown time";
  }
  return text;
}

// The files of the report: `report_dir/this-run/` holds this run's findings (the ones
// printed and judged), and `report_dir/findings.*` the latest logs of every memory
// preset whose build tree still has them, merged: presets run one at a time add up
// instead of each run replacing the last one's findings.
void ReportFindings(const PresetSet& set, const std::vector<std::string>& log_dirs, const fs::path& report_dir,
                    const fs::path& source, const std::vector<std::string>& exclude,
                    std::vector<std::string>* failures) {
  std::error_code error;
  const fs::path this_run = report_dir / "this-run";
  fs::remove_all(report_dir, error);
  fs::create_directories(this_run, error);
  if (error) {
    failures->push_back("cannot create the report directory " + report_dir.string() + ": " + error.message());
    return;
  }
  const auto files_in = [&](const fs::path& dir, ReportOptions* report) {
    report->root = source.string();
    report->exclude = exclude;
    for (const ReportFormat& format : ReportFormats())
      report->files[format.flag] = (dir / format.default_file).string();
  };
  ReportOptions report;
  report.inputs = log_dirs;
  files_in(this_run, &report);
  report.annotations = InActions();
  // Printed outside a group: the table is what a reader of the log looks for first.
  std::cout << "\n== memory checks: findings (memsafe report)" << std::endl;
  const int status = ReportCommand(report);
  std::cout.flush();
  std::string markdown;
  if (ReadWholeFile(report.files["markdown"], &markdown)) AppendStepSummary(markdown);
  if (status == kFindings) {
    failures->push_back("findings (above; SARIF, JUnit, JSON and Markdown in " + this_run.string() + ")");
  } else if (status != kClean) {
    failures->push_back("some logs could not be read whole (errors above)");
  }

  ReportOptions merged;
  std::vector<std::string> sources;
  for (const TestPreset& preset : set.test_presets) {
    const fs::path logs = fs::path(preset.binary_dir) / "memcheck";
    if (preset.tools.empty() || !fs::is_directory(logs, error) ||
        std::find(merged.inputs.begin(), merged.inputs.end(), preset.binary_dir) != merged.inputs.end()) {
      continue;
    }
    merged.inputs.push_back(preset.binary_dir);
    const bool now = std::find(log_dirs.begin(), log_dirs.end(), preset.binary_dir) != log_dirs.end();
    sources.push_back(preset.name + (now ? " (this run)" : " (logs of " + ModifiedAt(logs) + ")"));
  }
  files_in(report_dir, &merged);
  merged.print = false;
  // Its status is this run's, judged above, when no other preset has logs; otherwise the
  // findings of other presets' earlier runs are there to read, not to fail this run.
  (void)ReportCommand(merged);
  std::cout << "memsafe check: report files: this run's in " << this_run.string() << "; findings.* in "
            << report_dir.string() << " merge the latest logs of " << Join(sources, ", ") << "\n";
}

}  // namespace

std::vector<std::string> MemsafeDefaultSuppressionFiles() {
  const std::string package = PackageCMakeDir();
  if (package.empty()) return {};
  return DefaultSuppressionFiles((fs::path(package).parent_path() / "sanitizers" / "defaults").string());
}

std::string PackageForProgram(const std::string& program) {
  const std::string name = program.substr(program.find_last_of('/') + 1);
  if (name == "cmake" || name == "ctest") return "cmake";
  if (name == "ninja") return "ninja-build";
  if (name == "valgrind") return "valgrind";
  if (name.rfind("clang", 0) == 0) {
    const size_t dash = name.find('-');
    return dash == std::string::npos ? "clang" : "clang" + name.substr(dash);
  }
  if (name.rfind("g++", 0) == 0) return name;
  if (name.rfind("gcc", 0) == 0) return name;
  if (name == "c++" || name == "cc") return "build-essential";
  return "";
}

namespace {

// What a check needs once its arguments are judged: the presets chosen and where things are.
struct CheckPlan {
  fs::path source, sanitizers, report_dir;
  PresetSet set;
  std::vector<const TestPreset*> chosen;
  RunContext context;
};

// The suppression files of a memory check, linted before any preset runs.
struct SuppressionState {
  std::vector<std::string> files;     // the project's
  std::vector<std::string> defaults;  // memsafe's, for the tools' own false positives
  std::vector<DueEntry> overdue, drafts;
};

// Loads the presets and judges the arguments. Returns an exit status when the command
// is done (--list, --matrix or bad usage), nullopt when the presets must run.
std::optional<int> PlanCheck(const CheckOptions& options, CheckPlan* plan) {
  std::error_code error;
  plan->source = fs::weakly_canonical(fs::absolute(options.source), error);
  const fs::path presets_file = plan->source / "CMakePresets.json";
  if (error || !fs::is_regular_file(presets_file, error)) {
    std::cerr << "memsafe check: no CMakePresets.json in " << plan->source.string()
              << " (run `memsafe init` there, or include memsafe's presets fragment)\n";
    return kUsage;
  }
  std::string message;
  std::optional<PresetSet> set = LoadPresets(presets_file.string(), &message);
  if (!set) {
    std::cerr << "memsafe check: " << message << "\n";
    return kUsage;
  }
  plan->set = std::move(*set);
  if (options.list) {
    std::cout << FormatPresetList(plan->set);
    return kClean;
  }
  const std::string default_set = options.matrix ? "all" : options.memory_checks ? "memory-checks" : "check";
  if (!options.matrix && !options.shard.empty() &&
      !ParseShard(options.shard, &plan->context.shard_index, &plan->context.shard_count)) {
    std::cerr << "memsafe check: --shard wants I/N with 1 <= I <= N <= 1000, got '" << options.shard << "'\n";
    return kUsage;
  }
  if (!SelectPresets(plan->set, options.presets, default_set, options.matrix || options.memory_checks, &plan->chosen,
                     &message)) {
    std::cerr << "memsafe check: " << message << "\n";
    return kUsage;
  }
  if (options.matrix) {
    std::cout << FormatMatrix(plan->chosen);
    return kClean;
  }
  plan->sanitizers = options.sanitizers_dir.empty() ? plan->source / "sanitizers" : fs::path(options.sanitizers_dir);
  plan->report_dir =
      options.report_dir.empty() ? plan->source / "build" / "memsafe-report" : fs::path(options.report_dir);
  return std::nullopt;
}

// Lints the suppression files and every runtime option the run hands its tests; false
// when they have problems (said above), which fails the check before anything runs.
bool LintBeforeRun(const CheckPlan& plan, SuppressionState* suppressions) {
  suppressions->files = DefaultSuppressionFiles(plan.sanitizers.string());
  suppressions->defaults = MemsafeDefaultSuppressionFiles();
  GroupStart("suppressions: lint before the run");
  // The presets can set the tools' options too (a test preset's ASAN_OPTIONS), and so
  // can the environment this run hands every test: both are linted like options.txt.
  std::vector<std::string> scanned = plan.set.files;
  for (const std::string& file : ProjectCMakeFiles(plan.source.string())) scanned.push_back(file);
  std::vector<std::string> linted = suppressions->files;
  linted.insert(linted.end(), suppressions->defaults.begin(), suppressions->defaults.end());
  int lint = LintCommand(linted, scanned);
  for (const MemoryTool& tool : MemoryTools()) {
    if (tool.options_variable.empty()) continue;
    const std::string name(tool.options_variable);
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) continue;
    for (const std::string& weak : WeakeningInEnvironmentValue(name, value)) {
      std::cout << "environment of memsafe check: " << weak << "\n";
      lint = kFindings;
    }
  }
  GroupEnd();
  if (lint != kClean) {
    std::cout << "memsafe check: FAIL: the suppression files or runtime options have problems (above); "
                 "fix them before the run\n";
    return false;
  }
  (void)FindDraftEntries(suppressions->files, &suppressions->drafts);  // the lint above read the same files
  std::vector<DueEntry> due;
  if (FindDueEntries(suppressions->files, Today(), 0, &due)) {
    for (const DueEntry& entry : due) {
      if (entry.overdue) suppressions->overdue.push_back(entry);
    }
  }
  return true;
}

// What the run hands every test, and the files every test's cached result depends on.
void PrepareContext(const CheckOptions& options, const SuppressionState& suppressions, CheckPlan* plan) {
  RunContext& context = plan->context;
  const fs::path& source = plan->source;
  std::error_code error;
  context.source = source.string();
  context.slow = options.slow;
  context.use_cache = options.memory_checks && !options.slow && !options.no_cache;
  context.jobs = options.jobs;
  context.tests = options.tests;
  for (const TestSwitch& found : FindTestSwitches(ProjectCMakeFiles(source.string()), source.string())) {
    context.test_switches.push_back(found.name + " (" + found.where + ")");
  }
  // Every test depends on the suppression files and options, and on the presets.
  for (const std::string& file : suppressions.files) context.cache_files.push_back(file);
  for (const std::string& file : suppressions.defaults) context.cache_files.push_back(file);
  // Every presets file CMake reads: a test preset's environment in an included file
  // reaches the tests as surely as one in CMakePresets.json.
  for (const std::string& file : plan->set.files) context.cache_files.push_back(file);
  if (const std::string user = (source / "CMakeUserPresets.json").string();
      std::find(context.cache_files.begin(), context.cache_files.end(), user) == context.cache_files.end()) {
    context.cache_files.push_back(user);  // its appearing counts too
  }
  for (const fs::path& dir : {source / "sanitizers", source / "cmake"}) {
    if (fs::is_regular_file(dir / "memsafe-presets.json", error))
      context.cache_files.push_back((dir / "memsafe-presets.json").string());
    if (fs::is_regular_file(dir / "exclude.txt", error)) context.cache_files.push_back((dir / "exclude.txt").string());
  }
  // cmake --preset and ctest --preset read the presets of the working directory.
  context.child.working_directory = source.string();
  // Valgrind would otherwise try to download debug info over the network.
  context.child.environment["DEBUGINFOD_URLS"] = std::nullopt;
  // Read by the test launcher: the valgrind-slow options.
  if (options.slow) context.child.environment["MEMSAFE_SLOW"] = "1";
  if (const TestPreset* fast = FastPreset(plan->set)) {
    std::string ignored;
    context.fast_results = LatestCtestResults(fast->binary_dir, &ignored);
  }
}

void WarnAboutSuppressions(const SuppressionState& suppressions) {
  const std::string warning = "warning", plain = "memsafe check: WARNING: ";
  for (const DueEntry& entry : suppressions.overdue) {
    std::cout << ProblemLine(warning, plain,
                             entry.path + ":" + std::to_string(entry.line) + ": suppression " + entry.text +
                                 (entry.review_by > 0 ? " is OVERDUE for review since " + FormatDate(entry.review_by)
                                                      : " has no valid review-by date") +
                                 " (reason: " + entry.reason + "; tracker: " + entry.tracker + ")")
              << "\n";
  }
  for (const DueEntry& entry : suppressions.drafts) {
    std::cout << ProblemLine(warning, plain,
                             entry.path + ":" + std::to_string(entry.line) + ": suppression " + entry.text +
                                 " is a DRAFT nobody has explained yet (" + entry.reason + ")")
              << "\n";
  }
}

// After the presets ran: the findings report, the unused suppressions, this run's
// summary and the detection table; each problem goes to `failures`.
void ReportAfterRun(const CheckOptions& options, const CheckPlan& plan, const SuppressionState& suppressions,
                    const std::vector<std::string>& log_dirs, const std::string& summary_json,
                    std::vector<std::string>* failures) {
  std::error_code error;
  if (options.memory_checks && !log_dirs.empty()) {
    ReportFindings(plan.set, log_dirs, plan.report_dir, plan.source, options.exclude, failures);
    std::vector<EntryUsage> used, used_defaults;
    if (!suppressions.files.empty()) {
      GroupStart("suppressions: entries no run matched (information; a preset outside this run may need them)");
      // Information only: an entry may be needed by a preset this run did not include.
      (void)UnusedCommand(suppressions.files, log_dirs, &used);
      GroupEnd();
      if (!suppressions.defaults.empty()) {
        GroupStart("suppressions: memsafe's defaults for the tools' own false positives (information)");
        (void)UnusedCommand(suppressions.defaults, log_dirs, &used_defaults);  // memsafe reviews these
        GroupEnd();
      }
    }
    // The entries this run needed, for the history: each by its file relative to the
    // project (memsafe's own defaults as memsafe:<file>) and its text.
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& [list, memsafes] : {std::pair{&used, false}, std::pair{&used_defaults, true}}) {
      for (const EntryUsage& usage : *list) {
        const std::string relative = fs::path(usage.path).lexically_relative(plan.source).string();
        const bool inside = !relative.empty() && relative.rfind("..", 0) != 0;
        rows.push_back({{"file", memsafes ? "memsafe:" + fs::path(usage.path).filename().string()
                                 : inside ? relative
                                          : usage.path},
                        {"line", usage.entry.line},
                        {"entry", usage.entry.text},
                        {"matches", usage.matches}});
      }
    }
    const fs::path used_file = plan.report_dir / "this-run" / "suppressions.json";
    if (!WriteText(used_file.string(), nlohmann::ordered_json{{"used", rows}}.dump(2) + "\n")) {
      failures->push_back("cannot write " + used_file.string());
    }
  }
  if (options.memory_checks) {
    // Also for a run whose presets left no logs (a failed build): this run's summary,
    // alone in this-run/ (RunCheck emptied it before the presets ran).
    const fs::path this_run = plan.report_dir / "this-run";
    fs::create_directories(this_run, error);
    if (!WriteText((this_run / "summary.json").string(), summary_json)) {
      failures->push_back("cannot write " + (this_run / "summary.json").string());
    }
  }
  if (!options.detection_table.empty() && !(options.slow && options.shard.empty() && options.tests.empty())) {
    // A quick run leaves cached tests out, a shard or --test the others: the table would
    // disagree with a run that has only some of the results.
    std::cout << "memsafe check: detection table not compared with " << options.detection_table
              << ": only a --slow run of every test has every result\n";
  } else if (!options.detection_table.empty()) {
    GroupStart("detection corpus: what each preset caught, against " + options.detection_table);
    DetectionTableOptions detection;
    detection.corpus = options.detection_corpus.empty() ? (plan.source / "tests" / "detection" / "corpus.txt").string()
                                                        : options.detection_corpus;
    detection.root = plan.source.string();
    detection.check = options.detection_table;
    for (const TestPreset* preset : plan.chosen) detection.build_dirs.push_back(preset->binary_dir);
    const int status = DetectionTableCommand(detection);
    GroupEnd();
    if (status != kClean) {
      failures->push_back("detection corpus: the run disagrees with " + options.detection_table + " (above)");
    }
  }
}

// The last lines of a check: its time, what to install, its problems and its exit status.
int FinishCheck(const CheckOptions& options, int seconds, const std::vector<std::string>& missing_packages,
                const std::vector<std::string>& failures) {
  std::cout << "memsafe check: " << (options.memory_checks ? "memory checks" : "checks") << " took "
            << FormatSeconds(seconds) << "\n";
  if (!missing_packages.empty()) {
    std::cout << "memsafe check: missing programs; install them with: sudo apt-get install "
              << Join(missing_packages, " ") << "\n";
  }
  if (failures.empty()) {
    std::cout << "\nmemsafe check: all checks passed\n";
    return kClean;
  }
  std::cout << "\nmemsafe check: " << failures.size() << " problem(s):\n";
  for (const std::string& failure : failures) {
    std::cout << ProblemLine("error", "  - ", failure) << "\n";
  }
  return kFindings;
}

}  // namespace

int RunCheck(const CheckOptions& options) {
  CheckPlan plan;
  if (const std::optional<int> done = PlanCheck(options, &plan)) return *done;
  if (options.dry_run) {
    PrepareContext(options, SuppressionState{}, &plan);
    for (const TestPreset* preset : plan.chosen) {
      // A shard's canaries come from the tree as it is now: a tree not built yet lists none.
      const BuildCommands build = PlanBuildCommands(*preset, plan.context);
      const TestCommands test = PlanTestCommands(*preset, plan.context);
      for (const std::vector<std::string>* command : {&build.configure, &build.build, &test.ctest}) {
        std::cout << preset->name << ": " << ShellWords(*command) << "\n";
      }
    }
    std::cout << "memsafe check: arguments valid; " << plan.chosen.size() << " preset(s) would run"
              << (plan.context.use_cache ? " (the result cache adds -E with the unchanged tests it leaves out)" : "")
              << "\n";
    return kClean;
  }
  const Clock::time_point start = Clock::now();
  SuppressionState suppressions;
  std::error_code error;
  // This run's report starts empty: a run that stops before its report (a lint failure)
  // must leave nothing that `memsafe history record` could take for it.
  if (options.memory_checks) fs::remove_all(plan.report_dir / "this-run", error);
  if (options.memory_checks && fs::is_directory(plan.sanitizers, error) && !LintBeforeRun(plan, &suppressions)) {
    return kFindings;
  }
  PrepareContext(options, suppressions, &plan);
  if (!options.slow && options.memory_checks) {
    std::cout << "memsafe check: quick run: tests labelled memsafe-slow and the valgrind-slow options are left "
                 "out; --slow adds them\n";
  }
  std::vector<std::string> failures, log_dirs, missing_packages;
  std::vector<PresetRun> runs;
  for (const TestPreset* preset : plan.chosen) {
    PresetRun run = RunPreset(*preset, plan.context);
    JudgeRun(&run);
    for (const std::string& problem : run.problems) failures.push_back(problem);
    for (const std::string& program : run.missing) {
      const std::string package = PackageForProgram(program);
      if (!package.empty() &&
          std::find(missing_packages.begin(), missing_packages.end(), package) == missing_packages.end()) {
        missing_packages.push_back(package);
      }
    }
    if (fs::is_directory(fs::path(preset->binary_dir) / "memcheck", error)) log_dirs.push_back(preset->binary_dir);
    runs.push_back(std::move(run));
  }
  GroupStart(options.memory_checks ? "memory checks: summary" : "checks: summary");
  std::cout << FormatSummary(runs);
  GroupEnd();
  AppendStepSummary(FormatSummaryMarkdown(runs));
  WarnAboutSuppressions(suppressions);
  ReportAfterRun(options, plan, suppressions, log_dirs, FormatSummaryJson(runs), &failures);
  return FinishCheck(options, SecondsSince(start), missing_packages, failures);
}

}  // namespace memsafe::tools
