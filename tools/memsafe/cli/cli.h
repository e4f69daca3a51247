// The memsafe command line, one file per command: each Add*Command declares the
// command's options on the app and the callback that runs it once the command line is
// parsed, which stores the command's exit status in `*status` (kClean, kFindings or
// kUsage of commands.h). main() adds every command, parses, and returns that status.
//
// Example (main.cc):
//   CLI::App app{"memsafe: ...", "memsafe"};
//   int status = memsafe::tools::kClean;
//   memsafe::cli::AddCheckCommand(app, &status);
//   app.parse(argc, argv);  // runs `check`'s callback when it was given
//   return status;
//
// Thread-safety: none; the callbacks print to std::cout and std::cerr.
#ifndef MEMSAFE_TOOLS_CLI_CLI_H_
#define MEMSAFE_TOOLS_CLI_CLI_H_

#include <CLI/CLI.hpp>

namespace memsafe::cli {

void AddInitCommand(CLI::App& app, int* status);
void AddCheckCommand(CLI::App& app, int* status);
// suppressions lint | review | add | unused
void AddSuppressionsCommand(CLI::App& app, int* status);
// report and detection-table: findings of the memory tools' logs.
void AddReportCommands(CLI::App& app, int* status);
// baseline run | check | update
void AddBaselineCommand(CLI::App& app, int* status);
// history record | diff | html
void AddHistoryCommand(CLI::App& app, int* status);
void AddBisectCommand(CLI::App& app, int* status);
// What the test launcher (memsafe-run.sh) calls: test-verdict, next-cases, log-id,
// instrumented.
void AddLauncherCommands(CLI::App& app, int* status);

// A value that looks like an option is a forgotten value: CLI11 takes the next word as
// the value, so "--junit --sarif x.sarif" would write a file named --sarif, and
// "--preset --slow" would look for a preset named --slow.
const CLI::Validator& NotAnOption();

}  // namespace memsafe::cli

#endif  // MEMSAFE_TOOLS_CLI_CLI_H_
