// The commands the test launcher (memsafe-run.sh) calls: test-verdict judges one test
// run, next-cases says which cases a finding kept from running, log-id names a test's
// logs, instrumented says which sanitizers a program carries, build-tree-libraries which
// of the project's libraries a natively run interpreter loaded, runs-python whether a
// test's program is a Python interpreter.
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "case_rerun.h"
#include "cli/cli.h"
#include "common/commands.h"
#include "common/memory_tools.h"
#include "common/process.h"
#include "common/text.h"
#include "loaded_objects.h"
#include "python_program.h"
#include "test_verdict.h"

namespace memsafe::cli {
namespace {

using tools::kClean;
using tools::kFindings;
using tools::kUsage;

struct LauncherState {
  tools::TestRun test_run;
  std::string program, expect_tools, test_name;
  std::string log_id_name;
  std::string cases_prefix, cases_name;
  std::vector<std::string> cases_argv;
  std::string record;
  std::vector<std::string> record_dirs;
  std::string python_build_dir;
  std::vector<std::string> python_argv;
};

// Streams a test's output file to `out`; false (said on stderr) when it cannot be read
// whole, which fails the test: an output not shown whole is no pass.
bool StreamTestOutput(const std::string& path, std::ostream* out) {
  bool skipped = false, passed_case = false;
  std::string why;
  if (tools::StreamOutput(path, out, &skipped, &passed_case, &why)) return true;
  std::cerr << "memsafe: cannot read the test's output " << path << ": " << why << "\n";
  return false;
}

int TestVerdict(const tools::TestRun& run) {
  const tools::TestVerdict result = tools::JudgeTestRun(run);
  // For memsafe check's result cache; a verdict it cannot write only means the test
  // runs again next time (no file: nothing is remembered).
  (void)tools::WriteText(run.prefix + ".verdict", result.word + "\n");
  // Why, in the launcher's own words: memsafe check shows them for a test CTest passed
  // anyway (WILL_FAIL, PASS_REGULAR_EXPRESSION), whose output CTest does not print.
  // Best effort like the verdict: without it the check still counts the test failed.
  (void)tools::WriteText(run.prefix + ".why", tools::VerdictReasons(result.err));
  std::cout << result.out;
  int status = result.exit_status;
  std::error_code ignored;
  if (!result.out_file.empty()) {
    if (!StreamTestOutput(result.out_file, &std::cout)) status = 1;
    (void)std::filesystem::remove(result.out_file, ignored);  // streamed; nothing reads it again
  }
  std::cout << std::flush;
  if (!result.err_file.empty()) {
    if (!StreamTestOutput(result.err_file, &std::cerr)) status = 1;
    if (!result.err_file_is_log) (void)std::filesystem::remove(result.err_file, ignored);
  }
  std::cerr << result.err << std::flush;
  return status;
}

// `memsafe next-cases`: prints the next run's command NUL-separated, with a note on
// stderr, and exits 0; exits 1 with nothing to rerun. It reads the launcher's files of
// the test (`prefix`): .stdout and .rerun-out (the runs' output), its logs, and its own
// .cases-ran (what ran so far), .cases-from (where the latest run's output starts) and
// .cases.xml (a Catch2 or doctest rerun's reporter).
int NextCases(const std::string& prefix, const std::string& name, const std::vector<std::string>& argv) {
  // Only a run a tool's report ended: a test's own failure is the test's to tell.
  std::string stderr_text;
  (void)tools::ReadWholeFile(prefix + ".stderr", &stderr_text);  // absent: nothing on stderr
  if (tools::RunLogs(prefix).empty() && stderr_text.find(": runtime error: ") == std::string::npos) return kFindings;
  std::string output, reruns, ran_text, why;
  if (!tools::ReadWholeFile(prefix + ".stdout", &output)) return kFindings;
  (void)tools::ReadWholeFile(prefix + ".rerun-out", &reruns);  // absent before the first rerun
  output += reruns;
  const std::string ran_path = prefix + ".cases-ran", progress = prefix + ".cases.xml",
                    from_path = prefix + ".cases-from";
  size_t from = 0;
  if (std::string text; tools::ReadWholeFile(from_path, &text)) {
    // Unreadable as a number: from 0, which only rereads the first run's [ RUN ] lines.
    (void)std::from_chars(text.data(), text.data() + text.size(), from);
  }
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
  if (!next || !tools::WriteText(ran_path, tools::Join(next->ran, "\n")) ||
      !tools::WriteText(from_path, std::to_string(output.size()))) {
    return kFindings;
  }
  std::cerr << "memsafe: NOTE: '" << name << "' " << why << std::endl;
  for (const std::string& arg : next->argv) std::cout << arg << '\0';
  return kClean;
}

// `memsafe instrumented`: with `expect_tools`, a verdict (exit 1 when one is missing);
// without, a report of what the program carries.
// The record of a run with no process at all (the program was not found) is no file:
// nothing was loaded. One that exists and cannot be read is an error, which the launcher
// reports rather than skip the run under Valgrind that the test may need.
int BuildTreeLibraries(const std::string& record, const std::vector<std::string>& dirs) {
  std::error_code error;
  if (!std::filesystem::exists(record, error) && !error) return kClean;
  std::string text, why;
  if (!tools::ReadWholeFile(record, &text, &why)) {
    std::cerr << "memsafe build-tree-libraries: " << record << ": " << why << "\n";
    return kUsage;
  }
  tools::LoadedObjects loaded;
  tools::AddAuditRecord(text, &loaded);
  const std::vector<std::string> inside = tools::ProjectLibraries(loaded, dirs);
  for (const std::string& library : std::set<std::string>(inside.begin(), inside.end())) std::cout << library << "\n";
  // What the record could not name may be the project's: the launcher reruns for it too.
  if (loaded.unrecorded) std::cout << "(an object whose path the record could not hold)\n";
  return kClean;
}

int Instrumented(const std::string& given, const std::string& expect_tools, const std::string& test_name) {
  const std::string program = tools::ResolveProgram(given);
  std::vector<std::string> wanted;
  std::stringstream list(expect_tools.empty() ? std::string("address,thread") : expect_tools);
  for (std::string tool; std::getline(list, tool, ',');) {
    if (!tool.empty()) wanted.push_back(tool);
  }
  std::vector<std::string> missing;
  std::string why;
  bool elf = false;
  if (!tools::MissingInstrumentation(program, wanted, &missing, &elf, &why)) {
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

}  // namespace

void AddLauncherCommands(CLI::App& app, int* status) {
  auto state = std::make_shared<LauncherState>();
  CLI::App* instrumented = app.add_subcommand(
      "instrumented",
      "Whether a program was compiled with AddressSanitizer and ThreadSanitizer (the markers every instrumented "
      "object carries). With --expect: exit 1, naming what is missing, when it lacks one of them; a script or "
      "other non-ELF program is not compiled code and passes");
  instrumented->add_option("program", state->program, "The program: a path, or a name looked up on PATH")->required();
  instrumented->add_option("--expect", state->expect_tools,
                           "Comma-separated tools it must carry, as in MEMSAFE_EXPECT (address, thread; others are "
                           "not judged)");
  instrumented->add_option("--name", state->test_name, "The test that runs it, for the message");

  CLI::App* verdict = app.add_subcommand(
      "test-verdict",
      "The verdict on one finished test run, for the test launcher (memsafe-run.sh): prints the test's output and "
      "the tool's reports, and exits as the test should (a finding fails it whatever its status)");
  verdict->add_option("--prefix", state->test_run.prefix, "The run's files: <prefix>.stdout, .stderr, .<pid>[.xml]")
      ->required();
  verdict->add_option("--tool", state->test_run.tool, tools::Join(tools::LauncherToolNames(), ", "))
      ->required()
      ->check(CLI::IsMember(tools::LauncherToolNames()));
  verdict->add_option("--status", state->test_run.status, "The exit status the test ended with")->required();
  verdict->add_option("--name", state->test_run.name, "The test's name")->required();
  verdict->add_option("--timeout", state->test_run.timeout_s, "The test's time limit in seconds");
  verdict->add_option("--root", state->test_run.root, "The project's source root, to locate findings");
  verdict->add_option("--expect", state->test_run.expect,
                      "A canary: an extended regex a report must match (repeatable)");
  verdict->add_option("--given-option", state->test_run.given_options,
                      "NAME=value of a tool's options the test got from outside options.txt (repeatable)");
  verdict->add_option("--expect-suppressed", state->test_run.expect_suppressed,
                      "A suppressed canary: the entry the tool must list as used");
  verdict->add_option("--expect-instrumented", state->test_run.expect_instrumented,
                      "The sanitizers the preset expects (MEMSAFE_EXPECT): every program of --build-dir the test "
                      "ran must carry them");
  verdict->add_option("--build-dir", state->test_run.build_dir, "The build tree, whose programs must be instrumented");
  verdict->add_flag("--interpreter-run", state->test_run.interpreter_run,
                    "The test's interpreter ran under the tool for the project's libraries it loaded: reports with "
                    "no frame in the project's code are the interpreter's own and do not fail the test");

  CLI::App* log_id = app.add_subcommand("log-id", "The file-name id of a test's logs, for the test launcher");
  log_id->add_option("name", state->log_id_name, "The test's name")->required();
  log_id->group("");  // the launcher's, not a user's

  CLI::App* next_cases = app.add_subcommand(
      "next-cases", "After a run a finding stopped inside a case: the command that runs the cases not run yet");
  next_cases->add_option("--prefix", state->cases_prefix, "The test's log prefix (the launcher's)")->required();
  next_cases->add_option("--name", state->cases_name, "The test's name, for the note")->required();
  next_cases->add_option("argv", state->cases_argv, "The test's command as given")->required();
  next_cases->group("");  // the launcher's, not a user's
  CLI::App* libraries = app.add_subcommand(
      "build-tree-libraries",
      "The shared objects under --dir that a test run's loader record lists, one per line, and a line for an "
      "object the record could not name: under the valgrind preset, the project's libraries an interpreter loaded "
      "while Valgrind did not run it");
  libraries->add_option("--record", state->record, "The run's record (<prefix>.loaded)")->required();
  libraries->add_option("--dir", state->record_dirs, "The build tree, the source root (repeatable)")->required();
  libraries->group("");  // the launcher's, not a user's
  CLI::App* python = app.add_subcommand(
      "runs-python",
      "Exit 0 when a test's command starts a Python interpreter (past env and cmake -E env), into which the "
      "launcher preloads the sanitizer runtime; 1 when it does not");
  python->add_option("--build-dir", state->python_build_dir,
                     "The build tree: a program of it is never the interpreter");
  python->add_option("argv", state->python_argv, "The test's command as given")->required();
  python->group("");  // the launcher's, not a user's
  python->callback([state, status] {
    // 1 is "no", as for `test`: the launcher asks a question, nothing failed.
    *status = tools::RunsPython(state->python_argv, state->python_build_dir) ? kClean : kFindings;
  });
  libraries->callback([state, status] { *status = BuildTreeLibraries(state->record, state->record_dirs); });
  instrumented->callback(
      [state, status] { *status = Instrumented(state->program, state->expect_tools, state->test_name); });
  verdict->callback([state, status] { *status = TestVerdict(state->test_run); });
  log_id->callback([state, status] {
    std::cout << tools::LogId(state->log_id_name) << "\n";
    *status = kClean;
  });
  next_cases->callback(
      [state, status] { *status = NextCases(state->cases_prefix, state->cases_name, state->cases_argv); });
}

}  // namespace memsafe::cli
