// memsafe: the command-line side of the toolkit.
//
//   memsafe init [--project DIR] [--dry-run] [--action OWNER/REPO@SHA] [--pre-push-hook]
//                                                        adopt memsafe in a CMake project: presets,
//                                                        sanitizers/, workflow; no CMake file edited
//   memsafe check [--memory-checks [--preset NAMES] [--shard I/N] [--slow] [--no-cache]] [--list] [--matrix]
//                                                        the project's checks: build, test, judge, report
//   memsafe suppressions lint   [--dir DIR] [FILE...]   syntax and metadata of suppression
//                                                        files, and the runtime options list
//   memsafe suppressions review [--dir DIR] [--today YYYY-MM-DD] [--within DAYS] [FILE...]
//                                                        entries due for review; exit 1 if overdue
//   memsafe suppressions unused [--dir DIR] LOGDIR...    entries no run matched; exit 1 if any
//   memsafe suppressions add --from-report FINDINGS.json [--dir DIR] [--today D] [--dry-run]
//                                                        draft entries for a first run's findings
//   memsafe baseline run|check|update [--file F] [--scenarios BINARY] [--only NAME]...
//                                                        peak heap and RSS of the memory scenarios;
//                                                        check exits 1 beyond the threshold
//   memsafe report [--root DIR] [--markdown F] [--junit F] [--sarif F] [--json F]
//                  [--github-annotations] [--include-canaries] LOG...
//                                                        deduplicated findings of memory-tool logs
//   memsafe instrumented [--expect address,thread] [--name TEST] PROGRAM
//                                                        which sanitizers a program was built with
//   memsafe test-verdict --prefix P --tool T --status N ...
//                                                        the verdict on one test run (the launcher's)
//
// Exit status: 0 clean, 1 problems found (or entries overdue), 2 usage or input error.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "baseline.h"
#include "case_rerun.h"
#include "check.h"
#include "commands.h"
#include "init.h"
#include "process.h"
#include "suppressions.h"
#include "test_verdict.h"
#include "text.h"

namespace {

using memsafe::tools::kClean;
using memsafe::tools::kFindings;
using memsafe::tools::kUsage;

// The first line a program prints on stdout, or "" when it cannot run.
std::string FirstLineOf(const std::vector<std::string>& args) {
  memsafe::tools::ProcessOptions options;
  options.capture_stdout = true;
  const memsafe::tools::ProcessResult result = memsafe::tools::RunProcess(args, options);
  std::string line = result.output.substr(0, result.output.find('\n'));
  while (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// `memsafe next-cases`: prints the next run's command NUL-separated, with a note on
// stderr, and exits 0; exits 1 with nothing to rerun. It reads the launcher's files of
// the test (`prefix`): .stdout and .rerun-out (the runs' output; the latest from `from`),
// its logs, and its own .cases-ran (what ran so far) and .cases.xml (a Catch2 or doctest
// rerun's reporter).
int NextCases(const std::string& prefix, size_t from, const std::string& name, const std::vector<std::string>& argv) {
  namespace tools = memsafe::tools;
  // Only a run a tool's report ended: a test's own failure is the test's to tell.
  std::string stderr_text;
  (void)tools::ReadWholeFile(prefix + ".stderr", &stderr_text);  // absent: nothing on stderr
  if (tools::RunLogs(prefix).empty() && stderr_text.find(": runtime error: ") == std::string::npos) return kFindings;
  std::string output, reruns, ran_text, why;
  if (!tools::ReadWholeFile(prefix + ".stdout", &output)) return kFindings;
  (void)tools::ReadWholeFile(prefix + ".rerun-out", &reruns);  // absent before the first rerun
  output += reruns;
  const std::string ran_path = prefix + ".cases-ran", progress = prefix + ".cases.xml";
  const bool rerun_before = tools::ReadWholeFile(ran_path, &ran_text);
  std::vector<std::string> ran_before;
  for (std::string_view line : tools::SplitLines(ran_text)) ran_before.emplace_back(line);
  std::optional<tools::CaseRun> next;
  std::string program;
  if (output.find("[==========] Running ") != std::string::npos) {
    next = tools::NextCaseRun({.output = output,
                               .last_run_at = from,
                               .argv = argv,
                               .ran_before = ran_before,
                               .env_filter = std::getenv("GTEST_FILTER"),
                               .env_output = std::getenv("GTEST_OUTPUT") != nullptr,
                               .sharded = std::getenv("GTEST_TOTAL_SHARDS") != nullptr,
                               .private_output = prefix + ".rerun-gtest.xml"},
                              &why);
  } else if (tools::ReadWholeFile(tools::ResolveProgram(argv[0]), &program)) {
    tools::XmlCaseRunInput input{.framework = tools::FrameworkOfProgram(program),
                                 .argv = argv,
                                 .first_output = output,
                                 .ran_before = ran_before,
                                 .progress_path = progress};
    if (std::string text; tools::ReadWholeFile(progress, &text)) {
      input.progress = std::move(text);
    } else if (rerun_before) {
      return kFindings;  // the last rerun wrote no XML: nothing tells where it stopped
    }
    next = tools::NextXmlCaseRun(input, &why);
    std::error_code ignored;
    (void)std::filesystem::remove(progress, ignored);  // the next run writes its own
  }
  if (!next || !tools::WriteText(ran_path, tools::Join(next->ran, "\n"))) return kFindings;
  std::cerr << "memsafe: NOTE: '" << name << "' " << why << std::endl;
  for (const std::string& arg : next->argv) std::cout << arg << '\0';
  return kClean;
}

// `memsafe instrumented`: with `expect_tools`, a verdict (exit 1 when one is missing);
// without, a report of what the program carries.
int Instrumented(const std::string& given, const std::string& expect_tools, const std::string& test_name) {
  const std::string program = memsafe::tools::ResolveProgram(given);
  std::vector<std::string> wanted;
  std::stringstream list(expect_tools.empty() ? std::string("address,thread") : expect_tools);
  for (std::string tool; std::getline(list, tool, ',');) {
    if (!tool.empty()) wanted.push_back(tool);
  }
  std::vector<std::string> missing;
  std::string why;
  bool elf = false;
  if (!memsafe::tools::MissingInstrumentation(program, wanted, &missing, &elf, &why)) {
    std::cerr << "memsafe: " << program << " " << why << "\n";
    return kUsage;
  }
  if (expect_tools.empty()) {
    if (!elf) {
      std::cout << program << ": not an ELF program (a script?): not compiled code\n";
      return kClean;
    }
    for (const std::string& tool : wanted) {
      const bool has = std::find(missing.begin(), missing.end(), tool) == missing.end();
      std::cout << tool << ": " << (has ? "instrumented" : "not instrumented") << "\n";
    }
    return kClean;
  }
  if (missing.empty()) return kClean;
  std::string tools;
  for (const std::string& tool : missing) tools += (tools.empty() ? "" : ",") + tool;
  std::cerr << "memsafe: NOT INSTRUMENTED: '" << (test_name.empty() ? given : test_name) << "' runs " << program
            << ", which was not compiled with -fsanitize=" << tools << " although the test preset expects it ("
            << expect_tools << "). Did the build lose its flags?\n";
  return kFindings;
}

struct BaselineOptions {
  std::string file = "sanitizers/memory-baseline.json";
  std::string scenarios = "build/dev/bench/memsafe_memory_scenarios";
  std::string valgrind = "valgrind";
  std::vector<std::string> only;
};

int Baseline(const std::string& action, const BaselineOptions& options) {
  using namespace memsafe::tools;
  std::vector<std::string> names = options.only;
  if (names.empty()) {
    memsafe::tools::ProcessOptions list_options;
    list_options.capture_stdout = true;
    const memsafe::tools::ProcessResult listed =
        memsafe::tools::RunProcess({options.scenarios, "--list"}, list_options);
    for (std::string_view line : SplitLines(listed.output)) {
      if (!line.empty()) names.emplace_back(line.substr(0, line.find('\t')));
    }
    if (!listed.started || listed.exit_code != 0 || names.empty()) {
      std::cerr << "memsafe baseline: cannot list the scenarios of '" << options.scenarios
                << "' (build it: cmake --build --preset dev --target memsafe_memory_scenarios)\n";
      return kUsage;
    }
  }
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
  for (const std::string& name : names) {
    Measurement m;
    if (!MeasureScenario(options.scenarios, options.valgrind, name, &m, &error)) {
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
  if (action == "run") return kClean;
  if (action == "update") {
    if (baseline.rationale.empty()) {
      baseline.rationale =
          "Peak heap from Valgrind massif (deterministic for these single-threaded scenarios) and peak RSS of a "
          "native run, for the dev build. A check fails when either grows by more than threshold_percent, or "
          "when running a scenario twice as long raises its peak (memory that grows over time). Regenerate "
          "with `memsafe baseline update` only for a change that is meant to use more memory, and say why in "
          "the commit.";
    }
    baseline.environment["date"] = memsafe::tools::FormatDate(memsafe::tools::Today());
    baseline.environment["valgrind"] = FirstLineOf({options.valgrind, "--version"});
    baseline.environment["compiler"] = FirstLineOf({options.scenarios, "--compiler"});
    baseline.environment["build"] = "dev preset (Debug, -O0)";
    for (const Measurement& m : measured) baseline.scenarios[m.scenario] = m;
    if (!WriteText(options.file, WriteBaseline(baseline))) return kUsage;
    std::cout << "memsafe baseline: wrote " << measured.size() << " scenario(s) to " << options.file << "\n";
    return kClean;
  }
  int failures = 0;
  std::printf("\n%-26s %-24s %14s %14s %9s\n", "SCENARIO", "MEASURE", "BASELINE", "NOW", "DELTA");
  for (const Verdict& v : Compare(baseline, measured)) {
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

int main(int argc, char** argv) {
  CLI::App app{"memsafe: memory-safety checks, reports and suppression lifecycle", "memsafe"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("memsafe ") + MEMSAFE_VERSION);
  // An output path that looks like an option is a forgotten value ("--junit --sarif
  // x.sarif" would otherwise write a file named --sarif).
  const CLI::Validator not_an_option(
      [](std::string& value) {
        return !value.empty() && value[0] == '-' ? "'" + value + "' looks like an option, not a path" : std::string();
      },
      "PATH", "not an option");

  memsafe::tools::InitOptions init_options;
  bool init_dry_run = false;
  CLI::App* init = app.add_subcommand(
      "init",
      "Adopt memsafe in an existing CMake project without editing its CMake files: memory presets (asan, tsan, "
      "valgrind: configure, build, test and workflow presets) merged into CMakePresets.json, sanitizers/ with "
      "empty suppression files and the file CMake includes at the first project() call, and a nightly workflow. "
      "A second run changes nothing; files the project owns are never overwritten.");
  init->add_option("--project", init_options.project, "The project's top directory (default: .)");
  init->add_flag("--dry-run", init_dry_run, "List what would be written, write nothing");
  init->add_option("--action", init_options.action,
                   "memsafe's GitHub action as OWNER/REPO@<commit>: write .github/workflows/memsafe.yml using it");
  init->add_flag("--pre-push-hook", init_options.pre_push_hook,
                 "Also write .git/hooks/pre-push running the quick memory checks");
  init->add_option("--set", init_options.set_variables,
                   "NAME=VALUE: a cache variable the memory presets set, such as a test switch init did not find "
                   "(repeatable)");
  init->add_option("--compilers", init_options.compilers,
                   "clang,gcc: every memory preset in each compiler (asan-gcc, tsan-gcc and valgrind-clang beside "
                   "asan, tsan and valgrind); the first of a tool's presets runs in --memory-checks, the others on "
                   "request and nightly")
      ->delimiter(',');

  memsafe::tools::CheckOptions check_options;
  CLI::App* check = app.add_subcommand(
      "check",
      "Configure, build and test the project's presets and judge the run: without options the fast presets "
      "(vendor.memsafe.runBy \"check\"); with --memory-checks every memory preset (runBy \"memory-checks\") with "
      "a summary, the findings report (SARIF, JUnit, Markdown, JSON under build/memsafe-report/) and the unused "
      "suppressions. Exit 0 when everything passed, 1 on any finding, failed test, missed canary or missing "
      "program, 2 on bad usage.");
  CLI::Option* memory_flag = check->add_flag("--memory-checks", check_options.memory_checks,
                                             "Run the memory presets instead of the fast ones");
  CLI::Option* preset_option = check->add_option("--preset", check_options.presets,
                                                 "These presets (comma-separated) instead of the default set");
  CLI::Option* shard_option = check->add_option("--shard", check_options.shard,
                                                "With --memory-checks: every N-th test from the I-th, plus every "
                                                "canary (the nightly spreads a preset over N jobs)");
  CLI::Option* slow_flag = check->add_flag(
      "--slow", check_options.slow,
      "With --memory-checks: the thorough run: also tests labelled memsafe-slow and the valgrind-slow options");
  CLI::Option* no_cache_flag = check->add_flag(
      "--no-cache", check_options.no_cache,
      "With --memory-checks: run every test; without it the quick run skips tests that passed before while nothing "
      "they depend on changed (executable, libraries, arguments, environment, options, suppressions); canaries "
      "always run, and --slow never uses the cache");
  check
      ->add_option("--jobs", check_options.jobs,
                   "Run this many tests at once instead of the test preset's number (1 for a project whose tests "
                   "share files and cannot run in parallel)")
      ->check(CLI::Range(1, 256));
  CLI::Option* list_flag = check->add_flag("--list", check_options.list, "List the presets, their tools and runs");
  CLI::Option* matrix_flag = check->add_flag(
      "--matrix", check_options.matrix, "Print the nightly job matrix (presets x shards) as JSON; --preset narrows it");
  CLI::Option* dry_flag =
      check->add_flag("--dry-run", check_options.dry_run, "Check the arguments, say what would run");
  check->add_option("--source", check_options.source, "The project (default: .)");
  check->add_option("--sanitizers", check_options.sanitizers_dir,
                    "The suppression files and options (default: <source>/sanitizers)");
  check
      ->add_option("--report-dir", check_options.report_dir,
                   "Where the findings reports go (default: <source>/build/memsafe-report)")
      ->check(not_an_option);
  check->add_option("--exclude", check_options.exclude, "Code under this directory is not the project's own");
  CLI::Option* detection_option =
      check
          ->add_option("--detection-table", check_options.detection_table,
                       "With --memory-checks --slow: the detection corpus's table in this file must agree with what "
                       "the run's presets caught (see memsafe detection-table)")
          ->check(not_an_option);
  check
      ->add_option("--detection-corpus", check_options.detection_corpus,
                   "The corpus for --detection-table (default: <source>/tests/detection/corpus.txt)")
      ->needs(detection_option);
  // The table holds every detection test's result: a quick or sharded run has only some.
  detection_option->needs(slow_flag)->excludes(shard_option);
  shard_option->needs(memory_flag);
  slow_flag->needs(memory_flag);
  no_cache_flag->needs(memory_flag);
  list_flag->excludes(memory_flag, preset_option, shard_option, slow_flag, matrix_flag, dry_flag);
  matrix_flag->excludes(memory_flag, shard_option, slow_flag, dry_flag);
  CLI::App* suppressions = app.add_subcommand("suppressions", "Check and review suppression files");
  suppressions->require_subcommand(1);

  std::string dir = "sanitizers";
  std::vector<std::string> files;
  CLI::App* lint = suppressions->add_subcommand("lint", "Syntax and metadata of every entry; the options list");
  lint->add_option("--dir", dir, "Directory with the suppression files (default: sanitizers)");
  lint->add_option("files", files, "Files to check instead of the directory's");
  std::vector<std::string> scanned;
  lint->add_option("--scan", scanned,
                   "Also check every *SAN_OPTIONS string in these files (scripts, workflows, presets)");

  std::string today_text;
  long long within = 0;
  CLI::App* review = suppressions->add_subcommand("review", "Entries whose review-by date has passed or is near");
  review->add_option("--dir", dir, "Directory with the suppression files (default: sanitizers)");
  review->add_option("--today", today_text, "Take this date as today (YYYY-MM-DD)");
  review->add_option("--within", within, "Also list entries due within this many days")
      ->check(CLI::Range(0LL, 36500LL));
  review->add_option("files", files, "Files to review instead of the directory's");

  std::string from_report;
  bool add_dry_run = false;
  CLI::App* add = suppressions->add_subcommand(
      "add",
      "Draft one entry per finding of a findings report, for a project's first run: the lint lists each "
      "draft until its reason and tracker are written");
  add->add_option("--from-report", from_report, "memsafe report's JSON (build/memsafe-report/findings.json)")
      ->required();
  add->add_option("--dir", dir, "Directory with the suppression files (default: sanitizers)");
  add->add_option("--today", today_text, "Take this date as today (YYYY-MM-DD)");
  add->add_flag("--dry-run", add_dry_run, "Print the drafts, write nothing");

  std::vector<std::string> log_dirs;
  CLI::App* unused = suppressions->add_subcommand("unused", "Entries that no run in the logs matched");
  unused->add_option("--dir", dir, "Directory with the suppression files (default: sanitizers)");
  unused->add_option("--file", files, "A suppression file to judge instead of the directory's");
  unused->add_option("logdirs", log_dirs, "build/<preset>/memcheck directories, build/<preset>, or build")->required();

  memsafe::tools::ReportOptions report_options;
  CLI::App* report = app.add_subcommand(
      "report",
      "Deduplicated findings from memory-tool logs: the harness's build/<preset>/memcheck directories, or any "
      "ASan, LSan, TSan, UBSan or MSan text log and Valgrind XML file, given as files, directories or - (stdin)");
  report
      ->add_option("logs", report_options.inputs,
                   "build/<preset>/memcheck, build/<preset>, build, a directory of logs, a log file, or -")
      ->required();
  report->add_option("--root", report_options.root, "The project's source root (default: .)");
  report->add_option("--exclude", report_options.exclude, "Code under this directory is not the project's own");
  report->add_option("--markdown", report_options.markdown, "Write a Markdown summary")->check(not_an_option);
  report->add_option("--junit", report_options.junit, "Write JUnit XML, one failing test case per finding")
      ->check(not_an_option);
  report->add_option("--sarif", report_options.sarif, "Write SARIF 2.1.0 for code scanning")->check(not_an_option);
  report->add_option("--json", report_options.json, "Write the findings as JSON")->check(not_an_option);
  report->add_flag("--github-annotations", report_options.annotations, "Print ::error annotations for GitHub");
  report->add_flag("--include-canaries", report_options.include_canaries, "Count the canaries' expected findings too");

  memsafe::tools::DetectionTableOptions detection_options;
  CLI::App* detection = app.add_subcommand(
      "detection-table",
      "Which planted bug of a detection corpus each memory preset caught, from the latest run of each build "
      "directory: a Markdown table, checked against a document or written into it");
  detection->add_option("build_dirs", detection_options.build_dirs, "build/<preset> directories")->required();
  detection->add_option("--corpus", detection_options.corpus, "The corpus (default: tests/detection/corpus.txt)");
  detection->add_option("--root", detection_options.root, "The project's source root (default: .)");
  auto* update_option = detection
                            ->add_option("--update", detection_options.update,
                                         "Rewrite the table between the detection-table markers of this file")
                            ->check(not_an_option);
  detection
      ->add_option("--check", detection_options.check,
                   "Exit 1 when this file's table differs from the run in a preset the run has")
      ->check(not_an_option)
      ->excludes(update_option);

  std::string program;
  std::string expect_tools;
  std::string test_name;
  CLI::App* instrumented = app.add_subcommand(
      "instrumented",
      "Whether a program was compiled with AddressSanitizer and ThreadSanitizer (the markers every instrumented "
      "object carries). With --expect: exit 1, naming what is missing, when it lacks one of them; a script or "
      "other non-ELF program is not compiled code and passes");
  instrumented->add_option("program", program, "The program: a path, or a name looked up on PATH")->required();
  instrumented->add_option("--expect", expect_tools,
                           "Comma-separated tools it must carry, as in MEMSAFE_EXPECT (address, thread; others are "
                           "not judged)");
  instrumented->add_option("--name", test_name, "The test that runs it, for the message");

  memsafe::tools::TestRun test_run;
  CLI::App* verdict = app.add_subcommand(
      "test-verdict",
      "The verdict on one finished test run, for the test launcher (memsafe-run.sh): prints the test's output and "
      "the tool's reports, and exits as the test should (a finding fails it whatever its status)");
  verdict->add_option("--prefix", test_run.prefix, "The run's files: <prefix>.stdout, .stderr, .<pid>[.xml]")
      ->required();
  verdict->add_option("--tool", test_run.tool, "none, asan, tsan, ubsan, valgrind")
      ->required()
      ->check(CLI::IsMember({"none", "asan", "tsan", "ubsan", "valgrind"}));
  verdict->add_option("--status", test_run.status, "The exit status the test ended with")->required();
  verdict->add_option("--name", test_run.name, "The test's name")->required();
  verdict->add_option("--timeout", test_run.timeout_s, "The test's time limit in seconds");
  verdict->add_option("--root", test_run.root, "The project's source root, to locate findings");
  verdict->add_option("--expect", test_run.expect, "A canary: an extended regex a report must match (repeatable)");
  verdict->add_option("--given-option", test_run.given_options,
                      "NAME=value of a tool's options the test got from outside options.txt (repeatable)");
  verdict->add_option("--expect-suppressed", test_run.expect_suppressed,
                      "A suppressed canary: the entry the tool must list as used");
  verdict->add_option("--expect-instrumented", test_run.expect_instrumented,
                      "The sanitizers the preset expects (MEMSAFE_EXPECT): every program of --build-dir the test "
                      "ran must carry them");
  verdict->add_option("--build-dir", test_run.build_dir, "The build tree, whose programs must be instrumented");

  std::string log_id_name;
  CLI::App* log_id = app.add_subcommand("log-id", "The file-name id of a test's logs, for the test launcher");
  log_id->add_option("name", log_id_name, "The test's name")->required();
  log_id->group("");  // the launcher's, not a user's

  std::string cases_prefix, cases_name;
  size_t cases_from = 0;
  std::vector<std::string> cases_argv;
  CLI::App* next_cases = app.add_subcommand(
      "next-cases", "After a run a finding stopped inside a case: the command that runs the cases not run yet");
  next_cases->add_option("--prefix", cases_prefix, "The test's log prefix (the launcher's)")->required();
  next_cases->add_option("--from", cases_from, "Where the latest run's output starts (bytes)");
  next_cases->add_option("--name", cases_name, "The test's name, for the note")->required();
  next_cases->add_option("argv", cases_argv, "The test's command as given")->required();
  next_cases->group("");  // the launcher's, not a user's

  BaselineOptions baseline_options;
  CLI::App* baseline = app.add_subcommand("baseline", "Peak memory of the memory scenarios against the baseline");
  baseline->require_subcommand(1);
  for (const char* action : {"run", "check", "update"}) {
    CLI::App* sub = baseline->add_subcommand(action, std::string(action) == "run" ? "Measure and print"
                                                     : std::string(action) == "check"
                                                         ? "Measure and compare; exit 1 on a regression"
                                                         : "Measure and rewrite the baseline file");
    sub->add_option("--file", baseline_options.file, "The baseline (default: sanitizers/memory-baseline.json)");
    sub->add_option("--scenarios", baseline_options.scenarios,
                    "The scenarios program (default: build/dev/bench/memsafe_memory_scenarios)");
    sub->add_option("--valgrind", baseline_options.valgrind, "Valgrind to run massif with");
    sub->add_option("--only", baseline_options.only, "Only this scenario (repeatable)");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kClean : kUsage;
  }
  if (init->parsed()) {
    init_options.package_dir = memsafe::tools::PackageCMakeDir();
    init_options.version = MEMSAFE_VERSION;
    std::string error;
    const std::optional<memsafe::tools::InitPlan> plan = memsafe::tools::PlanInit(init_options, &error);
    if (!plan) {
      std::cerr << "memsafe init: " << error << "\n";
      return kUsage;
    }
    if (!init_dry_run && !memsafe::tools::ApplyInit(*plan, &error)) {
      std::cerr << "memsafe init: " << error << "\n";
      return kUsage;
    }
    std::cout << memsafe::tools::FormatPlan(*plan, init_dry_run);
    const bool changed = std::any_of(plan->files.begin(), plan->files.end(), [](const memsafe::tools::PlannedFile& f) {
      return f.action != memsafe::tools::FileAction::kUnchanged;
    });
    if (!init_dry_run && changed) {
      // One preset with CMake alone: asan, or asan-gcc for a project adopted with gcc only.
      const bool clang = init_options.compilers.empty() ||
                         std::find(init_options.compilers.begin(), init_options.compilers.end(), "clang") !=
                             init_options.compilers.end();
      std::cout << "next: memsafe check --memory-checks   (or cmake --workflow --preset "
                << (clang ? "asan" : "asan-gcc") << ")\n";
    }
    return kClean;
  }
  if (check->parsed()) return memsafe::tools::RunCheck(check_options);
  if (verdict->parsed()) {
    const memsafe::tools::TestVerdict result = memsafe::tools::JudgeTestRun(test_run);
    // For memsafe check's result cache; a verdict it cannot write only means the test
    // runs again next time (no file: nothing is remembered).
    (void)memsafe::tools::WriteText(test_run.prefix + ".verdict", result.word + "\n");
    // Why, in the launcher's own words: memsafe check shows them for a test CTest passed
    // anyway (WILL_FAIL, PASS_REGULAR_EXPRESSION), whose output CTest does not print.
    // Best effort like the verdict: without it the check still counts the test failed.
    (void)memsafe::tools::WriteText(test_run.prefix + ".why", memsafe::tools::VerdictReasons(result.err));
    std::cout << result.out;
    int status = result.exit_status;
    if (!result.out_file.empty()) {
      bool skipped = false, passed_case = false;
      std::string why;
      if (!memsafe::tools::StreamOutput(result.out_file, &std::cout, &skipped, &passed_case, &why)) {
        std::cerr << "memsafe: cannot read the test's output " << result.out_file << ": " << why << "\n";
        status = 1;  // an output not shown whole is no pass
      }
      std::error_code ignored;
      (void)std::filesystem::remove(result.out_file, ignored);  // streamed; nothing reads it again
    }
    std::cout << std::flush;
    if (!result.err_file.empty()) {
      bool skipped = false, passed_case = false;
      std::string why;
      if (!memsafe::tools::StreamOutput(result.err_file, &std::cerr, &skipped, &passed_case, &why)) {
        std::cerr << "memsafe: cannot read the test's output " << result.err_file << ": " << why << "\n";
        status = 1;
      }
      std::error_code ignored;
      if (!result.err_file_is_log) (void)std::filesystem::remove(result.err_file, ignored);
    }
    std::cerr << result.err << std::flush;
    return status;
  }
  if (instrumented->parsed()) return Instrumented(program, expect_tools, test_name);
  if (log_id->parsed()) {
    std::cout << memsafe::tools::LogId(log_id_name) << "\n";
    return kClean;
  }
  if (next_cases->parsed()) return NextCases(cases_prefix, cases_from, cases_name, cases_argv);
  if (report->parsed()) return memsafe::tools::ReportCommand(report_options);
  if (detection->parsed()) return memsafe::tools::DetectionTableCommand(detection_options);
  if (baseline->parsed()) {
    for (const char* action : {"run", "check", "update"}) {
      if (baseline->got_subcommand(action)) return Baseline(action, baseline_options);
    }
  }
  int today = memsafe::tools::Today();
  if (!today_text.empty()) {
    std::optional<int> parsed = memsafe::tools::ParseDate(today_text);
    if (!parsed) {
      std::cerr << "memsafe: --today wants YYYY-MM-DD, got '" << today_text << "'\n";
      return kUsage;
    }
    today = *parsed;
  }
  if (add->parsed()) return memsafe::tools::AddDraftsCommand(from_report, dir, today, add_dry_run);
  if (files.empty()) files = memsafe::tools::DefaultSuppressionFiles(dir);
  if (files.empty()) {
    std::cerr << "memsafe: no suppression files in '" << dir << "'\n";
    return kUsage;
  }
  if (lint->parsed()) return memsafe::tools::LintCommand(files, scanned);
  if (unused->parsed()) return memsafe::tools::UnusedCommand(files, log_dirs);
  return memsafe::tools::ReviewCommand(files, today, within);
}
