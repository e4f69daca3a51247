// What every command of the memsafe tool shares: its exit statuses, today's date, writing
// a file, and how it says that an input could not be read. The commands themselves live
// with their modules (report/report_commands.h, suppressions/suppression_commands.h,
// check/check.h, ...) as functions, so that `memsafe check` runs the same passes
// in-process that the command line offers on their own; cli/ parses their options.
//
// Thread-safety: WriteText and PrintErrors write to their file and std::cerr; the rest
// are pure.
#ifndef MEMSAFE_TOOLS_COMMANDS_H_
#define MEMSAFE_TOOLS_COMMANDS_H_

#include <string>
#include <vector>

#include "report/report.h"

namespace memsafe::tools {

// A command's exit status: nothing found, findings (or problems) found, bad input.
inline constexpr int kClean = 0;
inline constexpr int kFindings = 1;
inline constexpr int kUsage = 2;

// Days since 1970-01-01, today (UTC).
int Today();

// Writes `text` to `path`; false (after saying so on stderr) when it cannot.
bool WriteText(const std::string& path, const std::string& text);

// Each input that could not be read, as "<file>:<line>: error: <message>" on stderr.
void PrintErrors(const std::vector<InputError>& errors);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_COMMANDS_H_
