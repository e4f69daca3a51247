// Checking the runtime options list (sanitizers/options.txt): every option a known
// name for its tool, name=value with no ':' or ',' (the runtimes' own separators) and
// no stray spaces, and a reason. Misspelled or comma-joined options are silently
// ignored by the sanitizer runtimes, which in real projects has switched off
// suppressions and checks without anyone noticing.
//
// Thread-safety: pure function. Failure: every problem becomes a Problem with its line.
#ifndef MEMSAFE_TOOLS_OPTIONS_LINT_H_
#define MEMSAFE_TOOLS_OPTIONS_LINT_H_

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "suppressions/suppressions.h"

namespace memsafe::tools {

std::vector<Problem> LintOptions(std::string_view content);

// Finds every ASAN_OPTIONS=, LSAN_OPTIONS=, UBSAN_OPTIONS= and TSAN_OPTIONS= assignment
// in any text (a script, a workflow, a presets file) and checks its value the same
// way: ':'-separated name=value pairs, known names, no ',' between options, no stray
// spaces, no option that weakens a tool (BlindingOption). Also refuses a
// -fsanitize-ignorelist= (-fsanitize-blacklist=, -fsanitize-system-ignorelist=) or
// Valgrind --suppressions= naming a file: suppressions come only from sanitizers/,
// linted. Parts that expand a shell variable ($...) are skipped. `memsafe_module`: the
// text is memsafe's own MemorySafety.cmake, whose wiring of sanitizers/ files (through
// ${_ignorelist} and ${_supp}) is the one allowed. `cmake_file`: a project's CMake file,
// where a Valgrind --suppressions= belongs to the project's own valgrind runs (cJSON's
// ENABLE_VALGRIND tests), which memsafe's runs replace: a note, not a problem.
std::vector<Problem> LintOptionStrings(std::string_view content, bool memsafe_module = false, bool cmake_file = false);

// The project's CMake files (CMakeLists.txt, *.cmake) under `source`, sorted, for
// LintOptionStrings: a target_compile_options(-fsanitize-ignorelist=...) hides findings
// as surely as a suppression file. Build trees (a CMakeCache.txt), hidden directories
// and unreadable ones are not entered.
std::vector<std::string> ProjectCMakeFiles(const std::string& source);

// The options of a tool's environment variable's value (ASAN_OPTIONS, ...) that weaken
// it, each as a message, read exactly as the runtime reads the value (every separator it
// knows, quoted values, '$' as text). For the values a test really gets: names the
// runtime would ignore are not judged here.
std::vector<std::string> WeakeningInEnvironmentValue(std::string_view variable, std::string_view value);

// Whether `name` is a runtime option of `tool` (asan, lsan, ubsan, tsan) in the LLVM 14
// and GCC 12 runtimes, including the flags common to all sanitizers.
bool IsKnownSanitizerOption(std::string_view tool, std::string_view name);

// The options a sanitizer's runtime reads beyond those every sanitizer reads (from its
// *_flags.inc); nullptr for a tool with no list here. Every tool of the memory tools
// table with an options variable has one (MemoryToolsTest checks it).
const std::set<std::string, std::less<>>* SanitizerOwnOptions(std::string_view tool);

// What an option hides when it weakens a tool: switches a check off ("exitcode=0",
// "report_bugs=false", "--leak-check=no"), or names a file memsafe does not lint or read
// ("suppressions=...", "include=...", "--xml-file=..."); nullopt otherwise. Values read as
// the runtime reads them (false/no/off are 0). Always an error, wherever it is set: one
// table (options_lint.cc), each row citing the runtime source that defines the option.
std::optional<std::string> BlindingOption(std::string_view tool, std::string_view option);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_OPTIONS_LINT_H_
