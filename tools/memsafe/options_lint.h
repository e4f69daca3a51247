// Checking the runtime options list (sanitizers/options.txt): every option a known
// name for its tool, name=value with no ':' or ',' (the runtimes' own separators) and
// no stray spaces, and a reason. Misspelled or comma-joined options are silently
// ignored by the sanitizer runtimes, which in real projects has switched off
// suppressions and checks without anyone noticing.
//
// Thread-safety: pure function. Failure: every problem becomes a Problem with its line.
#ifndef MEMSAFE_TOOLS_OPTIONS_LINT_H_
#define MEMSAFE_TOOLS_OPTIONS_LINT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "suppressions.h"

namespace memsafe::tools {

std::vector<Problem> LintOptions(std::string_view content);

// Finds every ASAN_OPTIONS=, LSAN_OPTIONS=, UBSAN_OPTIONS= and TSAN_OPTIONS= assignment
// in any text (a script, a workflow, a presets file) and checks its value the same
// way: ':'-separated name=value pairs, known names, no ',' between options, no stray
// spaces. Parts that expand a shell variable ($...) are skipped.
std::vector<Problem> LintOptionStrings(std::string_view content);

// Whether `name` is a runtime option of `tool` (asan, lsan, ubsan, tsan) in the LLVM 14
// and GCC 12 runtimes, including the flags common to all sanitizers.
bool IsKnownSanitizerOption(std::string_view tool, std::string_view name);

// What an option hides when it switches part of a tool off ("exitcode=0", "report_bugs=0",
// "--leak-check=no", ...), or nullopt. In options.txt such a line is an error unless its
// reason starts with kAcceptedBlindSpot; in an option string it is always an error.
std::optional<std::string> BlindingOption(std::string_view tool, std::string_view option);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_OPTIONS_LINT_H_
