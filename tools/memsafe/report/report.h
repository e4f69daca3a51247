// Reading memory-tool reports into findings.
//
// The test launcher (cmake/memsafe-run.sh) leaves one log per test and tool under
// build/<preset>/memcheck/: sanitizer text logs (ASan, LSan, UBSan, TSan) and Valgrind
// XML files. These functions turn each report in them into a Finding with a normalised
// kind, the first frame in the project's own code, and a signature that stays the same
// across tests, presets, compilers and tools, so that one bug hit by twenty tests is
// one row, not twenty.
//
// Example:
//   memsafe::tools::LogSet logs = memsafe::tools::CollectLogs({"build"}, &errors);
//   memsafe::tools::ReportContext context{.root = "/src/project/"};
//   std::vector<Finding> all = memsafe::tools::ReadLogs(logs, context, &errors);
//   std::vector<Group> rows = memsafe::tools::Deduplicate(all);
//
// Thread-safety: pure functions over values; safe to call from several threads.
// Failure: nothing here throws on bad input. A report that cannot be read whole (a log
// cut mid-stack, XML with an unterminated element) becomes an InputError with its file
// and line, and whatever could be read of it is still returned as a finding.
#ifndef MEMSAFE_TOOLS_REPORT_H_
#define MEMSAFE_TOOLS_REPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace memsafe::tools {

struct Frame {
  std::string function;  // demangled, as the tool printed it; empty when unknown
  std::string file;      // as printed (absolute) or empty
  int line = 0;
  int column = 0;
  std::string object;  // the binary or library, when the tool names it
};

struct Stack {
  std::string title;  // "READ of size 4 ...", "freed by thread T0 here:", "Block was alloc'd at"
  std::vector<Frame> frames;
};

struct Finding {
  std::string tool;           // asan, lsan, ubsan, tsan, msan, hwasan, valgrind
  std::string kind;           // normalised: heap-use-after-free, data-race, memory-leak, ...
  std::string message;        // the report's own headline
  std::string test;           // the test whose run produced the report
  std::string preset;         // the build directory's name (asan, tsan-gcc, ...)
  std::string log;            // the log file it came from
  int log_line = 0;           // where the report starts in that file
  std::vector<Stack> stacks;  // the first is the one that locates the bug
  // The first frame in the project's own code; file made relative to the project root.
  Frame location;
  bool has_location = false;
  // Where the bad access itself happened: the first frame under the root, in code the
  // project excludes (a vendored library, a test helper) or not; file relative to the
  // root. The location differs from it only when the access is in excluded code.
  Frame access;
  bool has_access = false;
  // The locating stack is bare addresses: the symbolizer could not read the binary.
  bool unsymbolized = false;
  std::string signature;  // 16 hex digits
  bool complete = true;   // false when the report was cut short
  bool expected = false;  // from a canary's log: the finding is the point of that test
  // From an interpreter run (LogFile::interpreter), symbolized, and every frame of every
  // stack in a binary outside the project's root and build tree: the interpreter's own
  // (a Python built without Valgrind's annotations, a shell's blocks at exit), set aside
  // like a canary's. One frame of the project's (its binary or its absolute file under
  // those trees), or one that cannot be placed (no binary, no absolute file), keeps the
  // report the project's.
  bool interpreters_own = false;
};

struct InputError {
  std::string file;
  int line = 0;  // 0 when the problem is the file as a whole
  std::string message;
};

// Where the project lives, so frames can be told apart: a frame is the project's own
// when its file lies under `root`, not under one of `exclude` (build trees, directories
// the project names), both absolute directory paths ending in '/', and no directory on
// its way below the root is one of `excluded_names` (vendored code at any depth).
struct ReportContext {
  std::string root;
  std::vector<std::string> exclude;
  std::vector<std::string> excluded_names;
};

// The directory names that hold someone else's code in most projects; excluded unless
// the project's exclusion file says otherwise.
const std::vector<std::string>& DefaultExcludedNames();

// The context of a project at `root`: its build/ tree, the default vendored directory
// names, `extra` directories (absolute, or relative to the working directory), and the
// project's exclusion file <root>/sanitizers/exclude.txt when there is one: one
// directory per line relative to the root ("tests/support/"), "!name" to count a
// default name (say "external") as the project's own again, '#' comments. `memsafe
// report`, `memsafe check` and each test's verdict read it alike. A malformed line or
// an unreadable file is an error in `errors`.
ReportContext ProjectReportContext(const std::string& root, const std::vector<std::string>& extra,
                                   std::vector<InputError>* errors);

// One log file, with what its name says (see cmake/memsafe-run.sh for the scheme
// <test>.<tool>.<pid>[.xml] and <test>.<tool>.stderr).
struct LogFile {
  std::string path;
  std::string test;
  std::string tool;
  std::string preset;
  bool xml = false;
  bool expected = false;  // a canary's log: its findings are the point of the test
  // A log of a test whose interpreter ran under the tool for the project's libraries it
  // loaded (the launcher's <test>.<tool>.interpreter marker, which names the build
  // tree): see Finding::interpreters_own.
  bool interpreter = false;
  std::string interpreter_build_dir{};
};

struct LogSet {
  std::vector<LogFile> files;
  // The tools that ran in each preset, read from the log names; a memory preset always
  // runs canaries, so every preset that ran leaves logs.
  std::map<std::string, std::vector<std::string>> tools_by_preset;
};

// Finds the logs of each input: a build/<preset>/memcheck directory itself, a
// build/<preset> directory, a build directory holding several presets, any other
// directory (every file below it is a log, e.g. a user's ASAN_OPTIONS=log_path=dir/asan
// logs), a single log file, or "-" for standard input. Logs not written by the launcher
// have preset "-"; their tool is told from their content when they are read.
// Unreadable directories, links that loop and FIFOs are errors, never skipped silently.
LogSet CollectLogs(const std::vector<std::string>& inputs, std::vector<InputError>* errors);

// A log's whole content: a regular file (see ReadWholeFile), or standard input for "-".
bool ReadLogContent(const std::string& path, std::string* content, std::string* why);

// Sanitizer text logs: every report in the file. `log` gives the file's name and test.
std::vector<Finding> ParseSanitizerLog(std::string_view content, const LogFile& log, const ReportContext& context,
                                       std::vector<InputError>* errors);
// The same for a log file read in blocks of 1 MiB (bounded memory for any size); ReadLogs
// reads a launcher's text logs larger than kStreamedLogBytes so.
inline constexpr std::uintmax_t kStreamedLogBytes = 8u << 20;
std::vector<Finding> ParseSanitizerLogFile(const LogFile& log, const ReportContext& context,
                                           std::vector<InputError>* errors);

// A Valgrind (memcheck) XML file: every <error>.
std::vector<Finding> ParseValgrindXml(std::string_view content, const LogFile& log, const ReportContext& context,
                                      std::vector<InputError>* errors);

// Reads and parses every log of the set (canary logs included; see Finding filters in
// the caller). Unreadable files become errors.
std::vector<Finding> ReadLogs(const LogSet& logs, const ReportContext& context, std::vector<InputError>* errors);

// One row of the report: the findings that share a signature.
struct Group {
  Finding first;                   // the representative, from the first log read
  std::vector<std::string> tools;  // sorted, distinct
  std::vector<std::string> presets;
  std::vector<std::string> tests;  // distinct test names
  int occurrences = 0;
  // Each tool's own headline of the bug (the first it reported): tools word one bug
  // differently, and a suppression is written in each tool's terms.
  std::map<std::string, std::string> message_by_tool;
};

// Groups by signature; rows sorted by kind, then location.
std::vector<Group> Deduplicate(const std::vector<Finding>& findings);

// The suppressions a run reports as used (LSan's "Suppressions used:" table, TSan's
// "Matched N suppressions", Valgrind's <suppcounts>), with their counts.
struct SuppressionUse {
  std::string tool;     // lsan, tsan, asan, valgrind
  std::string pattern;  // "leak:foo"/"race:foo" for sanitizers, the block name for Valgrind
  long count = 0;
};
std::vector<SuppressionUse> ParseSuppressionsUsed(std::string_view content, const LogFile& log);

// Exposed for tests.
Frame ParseFrameLine(std::string_view text);
bool IsRuntimeFrame(const Frame& frame);
// The normalised kind of a Valgrind error from its <kind> and its <auxwhat> lines.
std::string ValgrindKind(std::string_view kind, const std::vector<std::string>& auxwhat);
std::string Signature(const Finding& finding, const ReportContext& context);
std::string RelativeToRoot(const std::string& file, const ReportContext& context, bool* inside);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_REPORT_H_
