#include "test_verdict.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <utility>

#include "common/text.h"
#include "loaded_objects.h"
#include "report/report.h"
#include "report/report_output.h"
#include "suppressions/options_lint.h"

namespace memsafe::tools {

namespace fs = std::filesystem;

namespace {

// At most this many errors of one log reach the test output; the log keeps them all.
constexpr int kMaxShown = 5;
// One line per finding after the verdict, up to this many: a Valgrind run of a whole
// test executable can hold a finding for each of its cases.
constexpr size_t kMaxHeadlines = 20;

// "ERROR: AddressSanitizer: heap-use-after-free on address 0x602 at pc ..." without
// what differs from run to run.
std::string Headline(const Finding& finding, const std::string& name) {
  std::string message = finding.message;
  if (const size_t at = message.find(" on address 0x"); at != std::string::npos) message.erase(at);
  if (const size_t at = message.find(" on unknown address"); at != std::string::npos) message.erase(at);
  if (const size_t at = message.find(" (pid="); at != std::string::npos) message.erase(at);
  while (!message.empty() && (message.back() == ':' || message.back() == ' ')) message.pop_back();
  std::string line = finding.kind;
  if (finding.has_location) line += " at " + LocationText(finding);
  if (const std::string access = AccessText(finding); !access.empty()) line += " (access in " + access + ")";
  if (finding.test != name) line += " in " + finding.test;
  return line + ": " + message;
}

std::string DescribeFrame(const Frame& frame) {
  std::string where = frame.file.empty() ? frame.object : frame.file + ":" + std::to_string(frame.line);
  return "    at " + (frame.function.empty() ? std::string("???") : frame.function) + " (" + where + ")\n";
}

// Valgrind's errors of one log as people read them: what, where, in which case.
std::string DescribeValgrind(const std::vector<const Finding*>& findings, const std::string& path,
                             const std::string& name) {
  std::string text;
  for (size_t i = 0; i < findings.size() && i < static_cast<size_t>(kMaxShown); ++i) {
    const Finding& finding = *findings[i];
    text += "== Valgrind error: " + finding.kind + (finding.test != name ? " in " + finding.test : "") + " ==\n";
    text += finding.message + "\n";
    for (const Stack& stack : finding.stacks) {
      if (!stack.title.empty()) text += "  " + stack.title + "\n";
      int shown = 0;
      for (const Frame& frame : stack.frames) {
        if (++shown > 12) break;
        text += DescribeFrame(frame);
      }
    }
  }
  if (findings.size() > static_cast<size_t>(kMaxShown)) {
    text += "... and " + std::to_string(findings.size() - kMaxShown) + " more Valgrind errors: see " + path + "\n";
  }
  return text;
}

// A line of the file matches the extended regular expression (grep -E's meaning).
bool AnyLineMatches(std::string_view content, const std::regex& pattern) {
  for (std::string_view line : SplitLines(content)) {
    if (std::regex_search(line.begin(), line.end(), pattern)) return true;
  }
  return false;
}

std::string Quote(const std::string& text) { return "'" + text + "'"; }

}  // namespace

namespace {

// The messages for code of the build tree that a process of the test ran without the
// instrumentation the preset expects: a program it started (a helper, a program a
// script runs), a shared object it mapped, or a program of the build tree it was given
// as an argument (a child the loader does not audit, linked statically or started with
// an emptied environment or through ld.so, is named there). Its memory errors would
// pass unseen. "" when there are none, or nothing to check (Valgrind needs no
// instrumentation).
std::string UninstrumentedPrograms(const TestRun& run) {
  if (run.expect_instrumented.empty() || run.build_dir.empty() || run.tool == "valgrind" || run.tool == "none") {
    return "";
  }
  std::vector<std::string> wanted;
  std::stringstream list(run.expect_instrumented);
  for (std::string tool; std::getline(list, tool, ',');) {
    if (!tool.empty()) wanted.push_back(tool);
  }
  std::error_code error;
  // The kernel names programs by their real path: so is the build tree compared.
  const std::string tree = fs::weakly_canonical(run.build_dir, error).string() + "/";
  if (error) return "";
  const LoadedObjects loaded = ReadLoadedObjects(run.prefix);
  std::set<std::string> code(loaded.programs.begin(), loaded.programs.end());
  code.insert(loaded.objects.begin(), loaded.objects.end());  // libraries, and the arguments
  std::string messages;
  for (const std::string& given : code) {
    const std::string path = fs::weakly_canonical(given, error).string();
    if (error || !path.starts_with(tree)) continue;
    std::vector<std::string> missing;
    bool elf = false;
    std::string why;
    if (!MissingInstrumentation(path, wanted, &missing, &elf, &why) || !elf || missing.empty()) continue;
    // A data file of the build tree given as an argument is not code: only ELF counts.
    messages += "memsafe: NOT INSTRUMENTED: " + Quote(run.name) + " ran or loaded " + path +
                ", code of the build tree not compiled with -fsanitize=" + Join(missing, ",") +
                " although the test preset expects it (" + run.expect_instrumented +
                "): its memory errors would go unseen. Build it with the preset's flags (memsafe_instrument, "
                "memsafe_adopt_project)\n";
  }
  return messages;
}

// What the test printed: held when small, left in its file to be streamed when large,
// with the markers the verdict looks for either way.
struct Captured {
  std::string stdout_text;
  std::string stderr_text;
  bool timed_out = false;    // `timeout --verbose` said it stopped the test
  bool skipped = false;      // a GoogleTest case skipped itself
  bool passed_case = false;  // a GoogleTest case passed
};

// A library built for a sanitizer that a process without the sanitizer's runtime tried to
// load says so in its error ("undefined symbol: __asan_option_detect_stack_use_after_return"):
// the test checked nothing of that library, whatever its status (a test that skips on
// ImportError passes). "" when the output (as far as held; a streamed one is not read
// here) says nothing of the kind.
std::string UnloadableInstrumentedLibrary(const TestRun& run, const Captured& captured) {
  if (run.tool != "asan" && run.tool != "tsan" && run.tool != "ubsan") return "";
  for (const std::string* text : {&captured.stdout_text, &captured.stderr_text}) {
    for (std::string_view line : SplitLines(*text)) {
      const size_t at = line.find("undefined symbol: __");
      if (at == std::string_view::npos) continue;
      const std::string_view symbol = line.substr(at + 18);
      if (!symbol.starts_with("__asan_") && !symbol.starts_with("__tsan_") && !symbol.starts_with("__ubsan_") &&
          !symbol.starts_with("__sanitizer_")) {
        continue;
      }
      return "memsafe: FAILED: " + Quote(run.name) +
             " loaded a library built for the sanitizers into a program without their runtime, so nothing of it "
             "was checked: " +
             std::string(line.substr(0, 300)) +
             "\nmemsafe: make a Python interpreter the test's own program (memsafe preloads the runtime into it), "
             "or start the program that loads the library from the test\n";
    }
  }
  return "";
}

// Reads (or prepares to stream) one captured output file; false when it cannot be read.
bool ReadCaptured(const std::string& path, std::string* text, std::string* big_file, bool* skipped, bool* passed_case,
                  bool* timed_out, std::string* err) {
  std::error_code size_error;
  const auto size = fs::exists(path) ? fs::file_size(path, size_error) : 0;
  std::string why;
  if (!size_error && size > kInlineOutputBytes) {
    if (StreamOutput(path, nullptr, skipped, passed_case, &why, timed_out)) {
      *big_file = path;
      return true;
    }
  } else if (!fs::exists(path) || ReadWholeFile(path, text, &why)) {
    return true;  // a missing file is an empty one: the launcher could not even start the test
  }
  *err += "memsafe: cannot read the test's output " + path + ": " + why + "\n";
  return false;
}

// The test's stdout and stderr into the verdict (skip markers defused); false when one
// cannot be read, which fails the test.
bool ReadOutputs(const TestRun& run, TestVerdict* verdict, Captured* captured) {
  const std::string stdout_path = run.prefix + ".stdout";
  std::string errors;
  bool unused_timeout = false, unused_skip = false, unused_ok = false;
  bool read = ReadCaptured(stdout_path, &captured->stdout_text, &verdict->out_file, &captured->skipped,
                           &captured->passed_case, &unused_timeout, &errors);
  read = ReadCaptured(run.prefix + ".stderr", &captured->stderr_text, &verdict->err_file, &unused_skip, &unused_ok,
                      &captured->timed_out, &errors) &&
         read;
  verdict->out = DefuseSkipMarkers(captured->stdout_text);
  verdict->err = DefuseSkipMarkers(captured->stderr_text) + errors;
  std::error_code ignored;
  // Read above, the verdict carries it; a large one stays until it is streamed.
  if (verdict->out_file.empty()) (void)fs::remove(stdout_path, ignored);
  // `timeout --verbose` says when it stopped the test: a test's own exit 124 or a
  // SIGKILL from elsewhere is not a timeout.
  for (std::string_view line : SplitLines(captured->stderr_text))
    captured->timed_out = captured->timed_out || line.starts_with("timeout: sending signal");
  for (std::string_view line : SplitLines(captured->stdout_text)) {
    captured->skipped = captured->skipped || line.starts_with("[  SKIPPED ] ");
    captured->passed_case = captured->passed_case || line.starts_with("[       OK ] ");
  }
  return read;
}

// What the tool reported in this run.
struct Reports {
  std::vector<std::string> logs;  // the run's own log files
  std::set<std::string> found;    // the files with a report, or one that could not be read whole
  std::vector<std::string> headlines;
};

// An interpreter run under the tool (TestRun::interpreter_run) reports on its own code
// too (an interpreter built without Valgrind's annotations, a shell's leaks at exit):
// those reports have no frame in the project's code. They leave `findings` and are
// named in the verdict's text; a report with one such frame (the project's library in
// the stack that allocated, freed or touched the block) stays.
void SetInterpretersOwnApart(const TestRun& run, std::vector<Finding>* findings, TestVerdict* verdict) {
  std::vector<std::string> own;
  std::erase_if(*findings, [&](const Finding& finding) {
    if (!finding.interpreters_own) return false;
    own.push_back(finding.kind + " (" + finding.message + ")");
    return true;
  });
  if (own.empty()) return;
  std::sort(own.begin(), own.end());
  own.erase(std::unique(own.begin(), own.end()), own.end());
  verdict->err += "memsafe: NOTE: " + Quote(run.name) + ": the interpreter, run under " + run.tool +
                  " for the project's libraries it loaded, reported on its own code (no frame in the project's; "
                  "not counted): " +
                  Join(own, "; ") + "\n";
}

// Reads the run's logs, and stderr too (some runtimes, GCC's UBSan, ignore log_path),
// and adds what the tool said to the verdict, for people: the log files stay whole for
// the tools.
Reports ReadReports(const TestRun& run, const Captured& captured, TestVerdict* verdict) {
  Reports reports;
  reports.logs = RunLogs(run.prefix);
  const std::string stderr_path = run.prefix + ".stderr";
  LogSet set;
  for (const std::string& path : reports.logs) {
    LogFile log{.path = path, .test = run.name, .tool = run.tool, .preset = "launcher"};
    log.interpreter = run.interpreter_run;
    log.interpreter_build_dir = run.build_dir;
    log.xml = path.ends_with(".xml");
    set.files.push_back(log);
  }
  if (!captured.stderr_text.empty() || !verdict->err_file.empty()) {
    set.files.push_back({.path = stderr_path, .test = run.name, .tool = run.tool, .preset = "launcher"});
    set.files.back().interpreter = run.interpreter_run;
    set.files.back().interpreter_build_dir = run.build_dir;
  }
  // The reruns' stderr (memsafe next-cases): read for reports (GCC's UBSan writes there),
  // shown only when it holds one, so a rerun's own output never reaches CTest.
  const std::string rerun_stderr = run.prefix + ".rerun-stderr";
  if (std::error_code ignored; fs::file_size(rerun_stderr, ignored) > 0 && !ignored) {
    set.files.push_back({.path = rerun_stderr, .test = run.name, .tool = run.tool, .preset = "launcher"});
  }
  // Without a root nothing is the project's own: findings are still found, not located.
  // A bad exclusion file only moves locations; memsafe report and check fail on it.
  std::vector<InputError> config_errors;
  const ReportContext context = run.root.empty() ? ReportContext() : ProjectReportContext(run.root, {}, &config_errors);
  for (const InputError& error : config_errors) {
    verdict->err += "memsafe: warning: " + error.file + ":" + std::to_string(error.line) + ": " + error.message + "\n";
  }
  std::vector<InputError> errors;
  std::vector<Finding> findings = ReadLogs(set, context, &errors);
  if (run.interpreter_run) SetInterpretersOwnApart(run, &findings, verdict);
  std::map<std::string, std::vector<const Finding*>> by_log;
  for (const Finding& finding : findings) by_log[finding.log].push_back(&finding);
  for (const auto& [path, list] : by_log) reports.found.insert(path);
  if (by_log.count(rerun_stderr) > 0) reports.logs.push_back(rerun_stderr);
  for (const Finding& finding : findings) {
    const std::string line = Headline(finding, run.name);
    if (std::find(reports.headlines.begin(), reports.headlines.end(), line) == reports.headlines.end()) {
      reports.headlines.push_back(line);
    }
  }
  for (const InputError& error : errors) {
    reports.found.insert(error.file);
    reports.headlines.push_back("unreadable report in " + error.file + ": " + error.message);
  }
  verdict->err_file_is_log = reports.found.count(stderr_path) > 0;
  std::error_code ignored;
  // Clean stderr is not a log; a large one goes once the caller has streamed it.
  if (!verdict->err_file_is_log && verdict->err_file.empty()) (void)fs::remove(stderr_path, ignored);

  int stack_globals = 0;
  for (const std::string& path : reports.logs) {
    verdict->err += "---- memsafe: " + path + "\n";
    std::string content, why;
    if (path.ends_with(".xml")) {
      verdict->err += DescribeValgrind(by_log[path], path, run.name);
    } else if (ReadWholeFile(path, &content, &why)) {
      verdict->err += CutSanitizerLog(content, path, kMaxShown, &stack_globals);
    }
  }
  // Each stack-mapping global made the sanitizer ask llvm-symbolizer for a file named
  // "[stack]", which said so on the test's stderr: as many of those lines go too. More of
  // them than that (a binary really gone) stay.
  if (stack_globals > 0) {
    const std::string shown_stderr = DefuseSkipMarkers(captured.stderr_text);
    std::string kept;
    for (std::string_view line : SplitLines(shown_stderr)) {
      if (stack_globals > 0 && line == "LLVMSymbolizer: error reading file: No such file or directory") {
        --stack_globals;
        continue;
      }
      kept.append(line).push_back('\n');
    }
    verdict->err.replace(0, shown_stderr.size(), kept);
  }
  return reports;
}

// Options set around options.txt (a preset's environment, the test's ENVIRONMENT) are
// judged by the same table: a weakened tool's silence proves nothing. "" when none.
std::string WeakenedOptions(const TestRun& run) {
  std::vector<std::string> weakened;
  for (const std::string& option : run.given_options) {
    const size_t equals = option.find('=');
    if (equals == std::string::npos) continue;
    for (std::string& message : WeakeningInEnvironmentValue(option.substr(0, equals), option.substr(equals + 1))) {
      weakened.push_back(std::move(message));
    }
  }
  if (weakened.empty()) return "";
  std::string text =
      "memsafe: FAILED: " + Quote(run.name) + " ran with tool options that options.txt would not allow:\n";
  for (const std::string& message : weakened) text += "memsafe:   " + message + "\n";
  return text + "memsafe: set runtime options in sanitizers/options.txt, where each is linted\n";
}

// A canary passes only when every pattern matches a report.
void JudgeCanary(const TestRun& run, const Reports& reports, TestVerdict* verdict) {
  verdict->word = "canary";
  std::vector<std::string> missed;
  for (const std::string& pattern : run.expect) {
    std::regex regex;
    try {
      regex = std::regex(pattern, std::regex::extended);
    } catch (const std::regex_error& error) {
      verdict->err +=
          "memsafe: the canary's pattern /" + pattern + "/ is not a regular expression: " + error.what() + "\n";
      verdict->exit_status = 2;
      return;
    }
    // A pattern may name the raw report ("AddressSanitizer: heap-use-after-free") or
    // the finding as parsed ("heap-use-after-free at src/a.c:12"): the second checks
    // the kind and the place in the project whatever tool reported it.
    bool matched = std::any_of(reports.headlines.begin(), reports.headlines.end(),
                               [&regex](const std::string& line) { return std::regex_search(line, regex); });
    for (const std::string& path : reports.found) {
      if (matched) break;
      std::string content;
      matched = ReadWholeFile(path, &content) && AnyLineMatches(content, regex);
    }
    if (!matched) missed.push_back("/" + pattern + "/");
  }
  if (missed.empty()) {
    verdict->err +=
        "memsafe: canary caught: " + run.tool + " reported every expected finding in " + Quote(run.name) + "\n";
    verdict->exit_status = 0;
    return;
  }
  verdict->err += "memsafe: CANARY NOT CAUGHT: " + Quote(run.name) + " ran under " + run.tool + " (exit status " +
                  std::to_string(run.status) + ") without a report matching " + Join(missed, " ") +
                  ". The tool is not active or the optimizer removed the bug.\n";
  for (size_t i = 0; i < reports.headlines.size() && i < kMaxHeadlines; ++i) {
    verdict->err += "memsafe:   reported instead: " + reports.headlines[i] + "\n";
  }
  verdict->exit_status = 1;
}

void JudgeFinding(const TestRun& run, const Reports& reports, TestVerdict* verdict) {
  verdict->err += "memsafe: FAILED: " + run.tool + " reported a finding in " + Quote(run.name) + " (exit status " +
                  std::to_string(run.status) + "):\n";
  for (size_t i = 0; i < reports.headlines.size() && i < kMaxHeadlines; ++i) {
    verdict->err += "memsafe:   " + reports.headlines[i] + "\n";
  }
  if (reports.headlines.size() > kMaxHeadlines) {
    verdict->err += "memsafe:   ... and " + std::to_string(reports.headlines.size() - kMaxHeadlines) + " more\n";
  }
  verdict->err +=
      "memsafe: full report: " + Join(std::vector<std::string>(reports.found.begin(), reports.found.end()), " ") + "\n";
  verdict->exit_status = 1;
  verdict->word = "finding";
}

// A suppressed canary passes only when the tool lists its entry as matched.
void JudgeSuppressedCanary(const TestRun& run, const Reports& reports, TestVerdict* verdict) {
  verdict->word = "canary";
  for (const std::string& path : reports.logs) {
    std::string content;
    if (ReadWholeFile(path, &content) && content.find(run.expect_suppressed) != std::string::npos) {
      verdict->err += "memsafe: suppressed canary passed: the entry " + Quote(run.expect_suppressed) + " matched\n";
      verdict->exit_status = 0;
      return;
    }
  }
  verdict->err += "memsafe: SUPPRESSION NOT USED: " + Quote(run.name) + " ran clean, but " + run.tool +
                  " does not list the entry " + Quote(run.expect_suppressed) +
                  " as matched: is the suppression file wired?\n";
  verdict->exit_status = 1;
}

}  // namespace

std::string LogId(std::string_view name) {
  std::string id(name);
  for (char& c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
  }
  if (id == name) return id;
  std::uint32_t hash = 5381;
  for (const unsigned char c : name) hash = hash * 33 + c;
  char suffix[10];
  std::snprintf(suffix, sizeof suffix, "~%08x", static_cast<unsigned>(hash));
  return id + suffix;
}

TestVerdict JudgeTestRun(const TestRun& run) {
  TestVerdict verdict;
  Captured captured;
  if (!ReadOutputs(run, &verdict, &captured)) {
    verdict.exit_status = 1;
    return verdict;
  }
  const Reports reports = ReadReports(run, captured, &verdict);
  // Each failure below says "finding" when a tool also reported one: the result cache
  // keeps a test that ever had a finding under watch.
  const char* failed_word = reports.found.empty() ? "refused" : "finding";
  for (const std::string& reason :
       {WeakenedOptions(run), UninstrumentedPrograms(run), UnloadableInstrumentedLibrary(run, captured)}) {
    if (reason.empty()) continue;
    verdict.err += reason;
    verdict.exit_status = 1;
    verdict.word = failed_word;
    return verdict;
  }
  if (captured.timed_out) {
    verdict.err += "memsafe: TIMEOUT: " + Quote(run.name) + " was stopped after " + std::to_string(run.timeout_s) +
                   "s (hung or too slow for " + run.tool + ")\n";
    verdict.exit_status = 1;
    verdict.word = reports.found.empty() ? "timeout" : "finding";
    return verdict;
  }
  if (!run.expect.empty()) {
    JudgeCanary(run, reports, &verdict);
    return verdict;
  }
  if (!reports.found.empty()) {
    JudgeFinding(run, reports, &verdict);
    return verdict;
  }
  // GTEST_SKIP with no finding: the one line CTest's SKIP_REGULAR_EXPRESSION of
  // memsafe_add_test matches; the trailing "[  SKIPPED ]" lets the skip pattern of a
  // project's own gtest_discover_tests match too, here where no tool reported anything.
  if (run.status == 0 && captured.skipped && !captured.passed_case && run.expect_suppressed.empty()) {
    verdict.err +=
        "memsafe: SKIPPED: " + Quote(run.name) + " skipped itself and no tool reported anything [  SKIPPED ]\n";
    verdict.exit_status = 0;
    verdict.word = "skipped";
    return verdict;
  }
  if (!run.expect_suppressed.empty()) {
    JudgeSuppressedCanary(run, reports, &verdict);
    return verdict;
  }
  verdict.exit_status = run.status;
  if (run.status == 0) verdict.word = "clean";
  return verdict;
}

std::string VerdictReasons(std::string_view err, int limit) {
  std::string reasons;
  int kept = 0;
  for (const std::string_view line : SplitLines(err)) {
    if (kept == limit) break;
    for (const std::string_view headline : {"memsafe: FAILED: ", "memsafe: NOT INSTRUMENTED: ", "memsafe: TIMEOUT: "}) {
      if (line.substr(0, headline.size()) != headline) continue;
      reasons += std::string(line) + "\n";
      ++kept;
      break;
    }
  }
  return reasons;
}

}  // namespace memsafe::tools
