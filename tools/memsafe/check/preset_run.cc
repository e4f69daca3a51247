// One preset of `memsafe check`: its commands planned, then configured, built, tested
// and judged, with the result cache of the quick run (check_internal.h).
#include "check/check_internal.h"

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

#include "check/result_cache.h"
#include "check/test_switches.h"
#include "common/ci_output.h"
#include "common/commands.h"
#include "common/process.h"
#include "common/text.h"
#include "init.h"
#include "report/report_output.h"
#include "suppressions/options_lint.h"
#include "suppressions/suppressions.h"

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The programs a preset needs that are not installed.
std::vector<std::string> MissingPrograms(const TestPreset& preset) {
  std::vector<std::string> needed = {"cmake", "ctest"};
  if (preset.generator == "Ninja" || preset.generator == "Ninja Multi-Config") needed.push_back("ninja");
  if (!preset.cxx_compiler.empty()) needed.push_back(preset.cxx_compiler);
  if (!preset.c_compiler.empty()) needed.push_back(preset.c_compiler);
  if (preset.tools.find("valgrind") != std::string::npos) needed.push_back("valgrind");
  std::vector<std::string> missing;
  for (const std::string& program : needed) {
    if (!ProgramExists(program)) missing.push_back(program);
  }
  return missing;
}

// Test numbers (1-based, CTest's order) of a configured build tree's canaries and of
// the tests named in `names`; the names the tree does not define go to `undefined`. A
// listing that fails goes to `errors`: it would select no canary, and a shard or a --test
// run without its canaries could pass having proven nothing.
std::vector<int> SelectedTestNumbers(std::vector<std::string> listing, const std::string& source,
                                     const std::vector<std::string>& names, std::vector<std::string>* undefined,
                                     std::vector<std::string>* errors) {
  ProcessOptions options;
  options.capture_stdout = true;
  options.working_directory = source;
  listing.push_back("--show-only=json-v1");
  const ProcessResult listed = RunProcess(listing, options);
  std::vector<int> numbers;
  std::set<std::string> unseen(names.begin(), names.end());
  const json document = listed.started && listed.exit_code == 0 ? json::parse(listed.output, nullptr, false) : json();
  if (!document.is_object() || !document.contains("tests") || !document["tests"].is_array()) {
    errors->push_back("cannot list the tests to select (" + ShellWords(listing) + ": " +
                      (listed.started ? "exit " + std::to_string(listed.exit_code) : listed.error) + ")");
  } else {
    int number = 0;
    for (const json& test : document["tests"]) {
      ++number;
      const std::string name = test.value("name", "");
      bool chosen = name.rfind("canary.", 0) == 0 || unseen.erase(name) > 0;
      for (const json& property : test.value("properties", json::array())) {
        if (property.value("name", "") != "LABELS" || !property.contains("value")) continue;
        for (const json& label : property["value"]) chosen = chosen || label == "canary";
      }
      if (chosen) numbers.push_back(number);
    }
  }
  undefined->assign(unseen.begin(), unseen.end());
  return numbers;
}

}  // namespace

// Runs a step with its output going to the user, and says what ran.
bool Step(const std::vector<std::string>& args, const ProcessOptions& options) {
  std::cout << "$ " << ShellWords(args) << std::endl;
  const ProcessResult result = RunProcess(args, options);
  if (!result.started) std::cout << "memsafe check: " << result.error << std::endl;
  return result.started && result.exit_code == 0;
}

BuildCommands PlanBuildCommands(const TestPreset& preset, const RunContext& context) {
  BuildCommands commands;
  // --no-warn-unused-cli: the presets set BUILD_TESTING and the compilers for every
  // project; one that reads neither (no include(CTest)) is not told so on every run.
  commands.configure = {"cmake", "--preset", preset.configure_preset, "--no-warn-unused-cli"};
  // A project adopted with memsafe init finds memsafe's package through find_package:
  // this memsafe's own installation, wherever it is, unless the project chose one.
  std::error_code no_package;
  if (const std::string package = PackageCMakeDir();
      !package.empty() && fs::is_regular_file(fs::path(package) / "memsafeConfig.cmake", no_package) &&
      fs::is_regular_file(fs::path(context.source) / "sanitizers" / "memsafe-adopt.cmake", no_package) &&
      std::getenv("memsafe_DIR") == nullptr) {
    commands.configure.push_back("-Dmemsafe_DIR=" + package);
  }
  // Every test's verdict comes from a memsafe tool (memsafe-run.sh): this one, which
  // reads the results too, so the verdicts and the report cannot disagree.
  if (const std::string self = ToolPath(); !self.empty()) commands.configure.push_back("-DMEMSAFE_TOOL=" + self);
  commands.build = preset.has_build_preset
                       ? std::vector<std::string>{"cmake", "--build", "--preset", preset.build_preset}
                       : std::vector<std::string>{"cmake", "--build", preset.binary_dir};
  return commands;
}

TestCommands PlanTestCommands(const TestPreset& preset, const RunContext& context) {
  TestCommands commands;
  // --test-dir: with -T, CTest 3.25 would otherwise test the working directory.
  commands.ctest_base = {"ctest", "--preset", preset.name, "--test-dir", preset.binary_dir};
  // CTest numbers the tests -I selects after its other filters (the preset's, -LE): the
  // numbers are read from a listing with those same filters.
  std::vector<std::string> filtered = commands.ctest_base;
  if (!context.tests.empty()) {
    // The tests named run whatever their labels (a slow one too). Start, end and stride
    // 0 select no range: only the numbers listed after them.
    std::string numbers = "0,0,0";
    for (int number : SelectedTestNumbers(filtered, context.source, context.tests, &commands.undefined_tests,
                                          &commands.selection_errors)) {
      numbers += "," + std::to_string(number);
    }
    commands.selection.insert(commands.selection.end(), {"-I", numbers});
  } else {
    if (!context.slow) commands.selection.insert(commands.selection.end(), {"-LE", "memsafe-slow"});
    filtered.insert(filtered.end(), commands.selection.begin(), commands.selection.end());
    if (context.shard_count > 0) {
      std::vector<std::string> none;
      commands.selection.push_back("-I");
      commands.selection.push_back(
          ShardSelection(context.shard_index, context.shard_count,
                         SelectedTestNumbers(filtered, context.source, {}, &none, &commands.selection_errors)));
    }
  }
  commands.ctest = commands.ctest_base;
  commands.ctest.insert(commands.ctest.end(), {"-T", "Test", "--no-tests=error", "--output-junit",
                                               (fs::path(preset.binary_dir) / "ctest-junit.xml").string()});
  commands.ctest.insert(commands.ctest.end(), commands.selection.begin(), commands.selection.end());
  if (context.jobs > 0) commands.ctest.insert(commands.ctest.end(), {"-j", std::to_string(context.jobs)});
  return commands;
}

namespace {

// Configures the preset's tree (unless it is up to date) and builds it.
void ConfigureAndBuild(const TestPreset& preset, const BuildCommands& commands, const RunContext& context,
                       PresetRun* run) {
  const fs::path binary_dir = preset.binary_dir;
  // A tree configured by this same command, with no preset, option or suppression file
  // changed since, is not configured again: its build step reruns CMake by itself when a
  // CMake file changed (the stamp records the command; a hand-run configure after it
  // makes the cache newer than the stamp).
  const fs::path stamp = binary_dir / "memsafe-configure-command";
  std::error_code stamp_error;
  std::string command_text;
  for (const std::string& arg : commands.configure) command_text += arg + "\n";
  const auto modified = [](const fs::path& path) {
    std::error_code ignored;
    return fs::last_write_time(path, ignored);
  };
  std::string stamped;
  bool up_to_date = ReadWholeFile(stamp.string(), &stamped) && stamped == command_text &&
                    fs::exists(binary_dir / "CMakeCache.txt", stamp_error) &&
                    modified(binary_dir / "CMakeCache.txt") <= modified(stamp);
  for (const std::string& file : context.cache_files) {
    if (up_to_date && fs::exists(file, stamp_error) && modified(file) > modified(stamp)) up_to_date = false;
  }
  if (up_to_date) {
    std::cout << "memsafe check: " << preset.configure_preset << " is configured and nothing it reads changed"
              << std::endl;
    run->configured = true;
  } else {
    std::error_code ignored;
    (void)fs::remove(stamp, ignored);  // a configure that fails must not leave an old stamp
    run->configured = Step(commands.configure, context.child);
    if (run->configured && !WriteText(stamp.string(), command_text)) run->configured = false;
  }
  if (run->configured) run->built = Step(commands.build, context.child);
}

}  // namespace

void PlanCache(const TestPreset& preset, const RunContext& context, const ProcessResult& listed, bool have_listing,
               CachePlan* plan, std::vector<std::string>* ctest) {
  std::string unreadable;
  plan->cache = ResultCache::Load(plan->path, &unreadable);
  if (!unreadable.empty()) {
    std::cout << "memsafe check: result cache unreadable (" << plan->path << ": " << unreadable
              << "): running every test" << std::endl;
  }
  CacheContext cache_context;
  cache_context.files = context.cache_files;
  // A program or shared object of the build tree may be run or loaded by any test
  // without being named (a helper whose path is compiled in, a plugin it dlopen()s):
  // each one is in every key. A relinked program reruns every test of the preset.
  for (const std::string& program : ProgramsUnder(preset.binary_dir)) cache_context.files.push_back(program);
  // The loader's cache: a library installed (and ldconfig run) changes what ldd
  // resolves, which the cache remembers per executable.
  cache_context.files.push_back("/etc/ld.so.cache");
  cache_context.libraries = &plan->cache.libraries();
  cache_context.contents = &plan->cache.contents();
  cache_context.extra =
      "memsafe " MEMSAFE_VERSION "\npreset " + preset.name + "\ntools " + preset.tools + "\n" + RunEnvironment();
  for (const auto& [name, value] : context.child.environment) {
    cache_context.extra += "child " + name + "=" + value.value_or("(unset)") + "\n";
  }
  if (preset.tools.find("valgrind") != std::string::npos) {
    ProcessOptions quiet;
    quiet.capture_stdout = true;
    cache_context.extra += RunProcess({"valgrind", "--version"}, quiet).output;
  }
  plan->context = cache_context;
  std::string error;
  if (have_listing) {
    if (std::optional<std::map<std::string, CacheEntry>> listed_keys =
            ListTests(listed.output, cache_context, &error)) {
      plan->keys = std::move(*listed_keys);
    }
  }
  if (!error.empty()) std::cout << "memsafe check: result cache not used: " << error << std::endl;
  std::vector<std::string> scripts;
  for (const auto& [name, entry] : plan->keys) {
    if (!entry.uncached_why.empty()) scripts.push_back(name + " (" + entry.uncached_why + ")");
    if (entry.always_run) continue;
    if (const std::optional<TestOutcome> before = plan->cache.Remembered(name, entry.key, plan->clean_runs_needed)) {
      (*before == TestOutcome::kPassed ? plan->cached : plan->cached_skips).push_back(name);
    }
  }
  if (!scripts.empty()) {
    std::cout << "memsafe check: " << scripts.size() << " test(s) of " << preset.name
              << " always run (a script's programs are not in any key):";
    for (size_t i = 0; i < scripts.size() && i < 5; ++i) std::cout << "\n  " << scripts[i];
    if (scripts.size() > 5) std::cout << "\n  ... and " << scripts.size() - 5 << " more";
    std::cout << std::endl;
  }
  if (!plan->cached.empty() || !plan->cached_skips.empty()) {
    std::vector<std::string> left_out = plan->cached;
    left_out.insert(left_out.end(), plan->cached_skips.begin(), plan->cached_skips.end());
    ctest->push_back("-E");
    ctest->push_back(ExactNamesRegex(left_out));
    std::cout << "memsafe check: " << left_out.size() << " of " << plan->keys.size() << " tests of " << preset.name
              << " passed (" << plan->cached.size() << ") or skipped themselves (" << plan->cached_skips.size()
              << ") before and nothing they depend on changed: not run again (--no-cache runs them)" << std::endl;
  }
}

namespace {

// After the run: memsafe's verdict of each test that ran, with what it loaded, into the
// cache; a test left out whose inputs changed while the others ran makes the run unsound.
void RecordCache(const std::map<std::string, LauncherRun>& verdicts, const std::vector<TestResult>& results,
                 const ProcessResult& listed, CachePlan* plan, PresetRun* run) {
  // A run counts as clean only by memsafe's verdict, never by CTest's outcome alone.
  std::vector<std::string> uncounted;  // clean, but not counted towards leaving them out
  // Fingerprints taken before the tests ran may be stale now: what the runs loaded,
  // and the inputs of the tests left out (checked below), are read as they are now.
  plan->cache.ForgetFingerprints();
  for (const TestResult& result : results) {
    const auto entry = plan->keys.find(result.name);
    if (entry == plan->keys.end() || entry->second.always_run) continue;
    std::string word;
    std::optional<LoadedObjects> loaded;
    if (entry->second.launched) {
      const auto verdict = verdicts.find(entry->second.command);
      loaded = LoadedObjects{};
      if (verdict != verdicts.end()) {
        word = verdict->second.verdict;
        loaded = ReadLoadedObjects(verdict->second.prefix);
      }
    } else if (!entry->second.outcome_altered) {
      // No tool judged it (it runs outside the launcher): CTest's outcome is all
      // there is, and no property can have turned a failure into it.
      if (result.outcome == TestOutcome::kPassed) word = "clean";
      if (result.outcome == TestOutcome::kSkipped) word = "skipped";
    }
    plan->cache.Record(result.name, entry->second.key, result.outcome, word, loaded ? &*loaded : nullptr);
    if (const std::string& why = plan->cache.UncountedWhy(result.name); !why.empty()) {
      uncounted.push_back(result.name + " (" + why + ")");
    }
  }
  if (!uncounted.empty()) {
    std::cout << "memsafe check: " << uncounted.size()
              << " clean run(s) do not count towards leaving the test out (what it loaded is not known "
                 "whole, or not the same as before): "
              << Join(uncounted, ", ") << std::endl;
  }
  // A test left out was judged by inputs as they were before the run: one that a
  // test of this run rewrote (a fixture that generates data) is unproven. Only
  // tests that ran can have written anything, and canaries write nothing.
  bool others_ran = false;
  for (const TestResult& result : results) others_ran = others_ran || result.name.rfind("canary.", 0) != 0;
  std::string again_error;
  CacheContext after = plan->context;
  if (const auto now =
          others_ran && !plan->cached.empty() ? ListTests(listed.output, after, &again_error) : std::nullopt) {
    std::vector<std::string> moved;
    for (const std::string& name : plan->cached) {
      const auto it = now->find(name);
      if (it == now->end() || it->second.key != plan->keys.at(name).key ||
          !plan->cache.Remembered(name, it->second.key, plan->clean_runs_needed)) {
        moved.push_back(name);
      }
    }
    if (!moved.empty()) {
      run->unsound.push_back("inputs of " + std::to_string(moved.size()) +
                             " test(s) taken from the cache changed while the others ran: " + Join(moved, ", ") +
                             "; run again (they will run)");
    }
  }
  if (!plan->cache.Save(plan->path)) std::cout << "memsafe check: cannot write " << plan->path << std::endl;
  AddCachedResults(plan->cached, plan->cached_skips, run);
}

// Tests the launcher ran without their tool (a script under Valgrind): named, so a
// reader knows what this preset did not check.
// The tests whose launcher left a marker file <test>.<tool><suffix> in the preset's logs.
std::vector<std::string> MarkedTests(const TestPreset& preset, std::string_view suffix) {
  std::vector<std::string> tests;
  std::error_code list_error;
  for (fs::directory_iterator it(fs::path(preset.binary_dir) / "memcheck", list_error), end; !list_error && it != end;
       it.increment(list_error)) {
    std::string file = it->path().filename().string();
    if (!file.ends_with(suffix)) continue;
    file.erase(file.size() - suffix.size());
    tests.push_back(file.substr(0, file.rfind('.')));
  }
  std::sort(tests.begin(), tests.end());
  return tests;
}

// Says which tests ran natively and counts them in run->native.
void SayNativeTests(const TestPreset& preset, PresetRun* run) {
  const std::vector<std::string> native = MarkedTests(preset, ".native");
  run->native = static_cast<int>(native.size());
  if (!native.empty()) {
    std::cout << "memsafe check: " << native.size() << " test(s) of " << preset.name
              << " ran natively (a script or interpreter that started no program and loaded no library of the "
                 "build tree): "
              << Join(native, " ") << std::endl;
  }
  if (const std::vector<std::string> own = MarkedTests(preset, ".valgrind-stand-in"); !own.empty()) {
    std::cout << "memsafe check: " << own.size() << " test(s) of " << preset.name
              << " run valgrind themselves; memsafe's stand-in ran their programs "
              << (preset.tools == "valgrind" ? "under memsafe's own Valgrind run"
                                             : "natively under the preset's sanitizers (Valgrind and a sanitizer "
                                               "cannot share a process)")
              << ": " << Join(own, " ") << std::endl;
  }
}

// A test memsafe's launcher failed (a finding, a timeout, a weakened or uninstrumented
// run) that CTest passed or skipped anyway: PASS_REGULAR_EXPRESSION matched output the
// program printed before the report, WILL_FAIL inverted the status, a skip pattern
// matched. Counted as failed; the names are returned. A program's own nonzero exit
// ("failed") is left to CTest, where WILL_FAIL may expect it.
std::vector<std::string> OverruleByVerdicts(const std::map<std::string, LauncherRun>& verdicts,
                                            std::vector<TestResult>* results) {
  std::vector<std::string> overruled;
  for (TestResult& result : *results) {
    if (result.outcome != TestOutcome::kPassed && result.outcome != TestOutcome::kSkipped) continue;
    const std::vector<std::string> words = CommandWords(result.command);
    if (words.size() < 2) continue;
    std::string key;  // the launcher's arguments, as <prefix>.argv holds them
    for (size_t i = 1; i < words.size(); ++i) key += (i > 1 ? std::string(1, '\0') : std::string()) + words[i];
    const auto verdict = verdicts.find(key);
    if (verdict == verdicts.end()) continue;
    const std::string& word = verdict->second.verdict;
    if (word != "finding" && word != "timeout" && word != "refused") continue;
    std::string why;
    (void)ReadWholeFile(verdict->second.prefix + ".why", &why);  // none: the word says enough
    while (!why.empty() && why.back() == '\n') why.pop_back();
    overruled.push_back(result.name + " (memsafe: " + word + ", CTest: " + std::string(OutcomeName(result.outcome)) +
                        ")" + (why.empty() ? "" : "\n    " + why));
    result.outcome = TestOutcome::kFailed;
    result.detail = "memsafe: " + word;
  }
  return overruled;
}

// What makes a run's verdicts untrustworthy before it starts: tests of one name, a
// test preset that repeats failed tests.
void FindUnsoundSetup(const TestPreset& preset, const ProcessResult& listed, bool have_listing, PresetRun* run) {
  // Two tests of one name (in two directories) write the same log files: one's
  // finding can vanish under the other's run.
  if (have_listing) {
    if (const std::vector<std::string> twice = DuplicateTestNames(listed.output); !twice.empty()) {
      run->unsound.push_back("tests defined more than once: " + Join(twice, ", ") +
                             " (their logs and verdicts would mix; give each its own name)");
    }
  }
  // A preset that repeats a failed test until it passes keeps only the last attempt:
  // a finding of an earlier one is gone.
  if (preset.repeat_mode == "until-pass" || preset.repeat_mode == "after-timeout") {
    run->unsound.push_back("its test preset repeats failed tests (execution.repeat " + preset.repeat_mode +
                           "): a finding in an earlier attempt would not count; remove the repeat");
  }
}

// After the tests ran: CTest's results, each overruled where memsafe's verdict failed a
// test CTest passed, counted, recorded in the cache, compared with the fast run.
void JudgeResults(const TestPreset& preset, const RunContext& context, const ProcessResult& listed, CachePlan* plan,
                  PresetRun* run) {
  std::string error;
  std::optional<std::vector<TestResult>> results = LatestCtestResults(preset.binary_dir, &error);
  if (!results) {
    std::cout << "memsafe check: " << error << std::endl;
    return;
  }
  run->tested = true;
  const std::map<std::string, LauncherRun> verdicts =
      LauncherVerdicts((fs::path(preset.binary_dir) / "memcheck").string());
  if (const std::vector<std::string> overruled = OverruleByVerdicts(verdicts, &*results); !overruled.empty()) {
    std::cout << "memsafe check: counted as failed, by memsafe's verdict, though CTest's properties "
                 "(PASS_REGULAR_EXPRESSION, WILL_FAIL, a skip pattern) passed them:\n";
    for (const std::string& test : overruled) std::cout << "  - " << test << "\n";
    std::cout.flush();
  }
  run->counts = CountResults(*results);
  if (context.use_cache) RecordCache(verdicts, *results, listed, plan, run);
  if (context.fast_results && !preset.tools.empty()) run->overhead = ToolOverhead(*context.fast_results, *results);
}

}  // namespace

PresetRun RunPreset(const TestPreset& preset, const RunContext& context) {
  PresetRun run;
  run.label = preset.name;
  run.sharded = context.shard_count > 0;
  run.test_switches = context.test_switches;
  if (context.shard_count > 0) {
    run.shard = std::to_string(context.shard_index) + "/" + std::to_string(context.shard_count);
    run.label += " shard " + run.shard;
  }
  run.tools = preset.tools;
  run.named_tests_only = !context.tests.empty();
  const Clock::time_point start = Clock::now();
  GroupStart(run.label + " (" + (preset.tools.empty() ? "no memory tool" : preset.tools) + ", " +
             (preset.cxx_compiler.empty() ? "default compiler" : preset.cxx_compiler) + "): configure, build, test");
  {
    // Old logs and results must not be read as this run's, whatever happens below (a
    // missing program, a failed build): a stale clean result would hide a test that no
    // longer ran, a stale log a finding that is gone.
    std::error_code ignored;
    (void)fs::remove_all(fs::path(preset.binary_dir) / "memcheck", ignored);
    (void)fs::remove(fs::path(preset.binary_dir) / "Testing" / "TAG", ignored);
  }
  run.missing = MissingPrograms(preset);
  if (!run.missing.empty()) {
    std::cout << "memsafe check: " << run.label << " needs programs that are not installed:";
    for (const std::string& program : run.missing) std::cout << " " << program;
    std::cout << std::endl;
    GroupEnd();
    run.wall_seconds = SecondsSince(start);
    return run;
  }
  ConfigureAndBuild(preset, PlanBuildCommands(preset, context), context, &run);
  const fs::path binary_dir = preset.binary_dir;
  run.build_seconds = SecondsSince(start);
  if (run.built) {
    TestCommands commands = PlanTestCommands(preset, context);
    // A test asked for by name that this tree does not define was not checked: the run
    // must not pass as if it had been.
    for (const std::string& name : commands.undefined_tests) {
      run.unsound.push_back("--test " + name + ": this build tree defines no test of that name");
    }
    for (const std::string& error : commands.selection_errors) run.unsound.push_back(error);
    // `ctest -T Test` (memsafe reads its Testing/ results) wants the dashboard file that
    // include(CTest) writes, and says "Cannot find file" twice on every run without it:
    // a project without include(CTest) gets a minimal one, a project's own is kept.
    if (std::error_code exists_error; !fs::exists(binary_dir / "DartConfiguration.tcl", exists_error)) {
      (void)WriteText((binary_dir / "DartConfiguration.tcl").string(),
                      "SourceDirectory: " + context.source + "\nBuildDirectory: " + binary_dir.string() +
                          "\nSite: memsafe\nBuildName: " + preset.name + "\n");  // missing: the old noise, no harm
    }
    std::vector<std::string>& ctest = commands.ctest;
    // The result cache: the tests this selection would run, with their keys; those that
    // passed with the same key are left out of this run.
    CachePlan plan;
    plan.path = (binary_dir / "memsafe-result-cache.json").string();
    plan.clean_runs_needed =
        preset.tools.find("thread") != std::string::npos ? kCleanRunsNeededThread : kCleanRunsNeeded;
    std::vector<std::string> listing = commands.ctest_base;
    listing.insert(listing.end(), commands.selection.begin(), commands.selection.end());
    listing.push_back("--show-only=json-v1");
    ProcessOptions list_options = context.child;
    list_options.capture_stdout = true;
    const ProcessResult listed = RunProcess(listing, list_options);
    const bool have_listing = listed.started && listed.exit_code == 0;
    // The programs as they are now: a build of this tree while the tests run shows as a
    // changed stamp afterwards (see ProgramStamps).
    const std::map<std::string, std::string> programs =
        have_listing ? ProgramStamps(listed.output) : std::map<std::string, std::string>{};
    FindUnsoundSetup(preset, listed, have_listing, &run);
    if (context.use_cache) PlanCache(preset, context, listed, have_listing, &plan, &ctest);
    const Clock::time_point test_start = Clock::now();
    (void)Step(ctest, context.child);  // the verdict comes from the results, not the status
    run.test_seconds = SecondsSince(test_start);
    run.changed_during_run = ChangedPrograms(programs);
    JudgeResults(preset, context, listed, &plan, &run);
    SayNativeTests(preset, &run);
  }
  GroupEnd();
  run.wall_seconds = SecondsSince(start);
  return run;
}

}  // namespace memsafe::tools
