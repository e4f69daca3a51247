// memsafe: the command-line side of the toolkit. main() only adds the commands and
// parses; each command's options, help text and run are in cli/ (one file per command,
// cli.h lists them), so `memsafe --help` and `memsafe COMMAND --help` are the usage and
// nothing here can drift from them.
//
// Exit status: 0 clean, 1 problems found (or entries overdue), 2 usage or input error.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "cli/cli.h"
#include "common/commands.h"

namespace {

// A usage error names what was wrong and then, in the USAGE: form memsafe's scripts use
// too, the command being parsed and where its usage is: `memsafe check --help`.
std::string UsageError(const CLI::App* app, const CLI::Error& error) {
  std::string command = app->get_name();
  for (std::vector<CLI::App*> parsed = app->get_subcommands(); !parsed.empty();
       parsed = parsed.front()->get_subcommands()) {
    command += " " + parsed.front()->get_name();
  }
  return std::string(error.what()) + "\nUSAGE: see " + command + " --help\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"memsafe: memory-safety checks, reports and suppression lifecycle", "memsafe"};
  app.require_subcommand(1);
  app.failure_message(UsageError);
  app.set_version_flag("--version", std::string("memsafe ") + MEMSAFE_VERSION);
  int status = memsafe::tools::kClean;
  memsafe::cli::AddInitCommand(app, &status);
  memsafe::cli::AddCheckCommand(app, &status);
  memsafe::cli::AddSuppressionsCommand(app, &status);
  memsafe::cli::AddReportCommands(app, &status);
  memsafe::cli::AddLauncherCommands(app, &status);
  memsafe::cli::AddBaselineCommand(app, &status);
  memsafe::cli::AddHistoryCommand(app, &status);
  memsafe::cli::AddBisectCommand(app, &status);
  try {
    app.parse(argc, argv);  // runs the command's callback
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? memsafe::tools::kClean : memsafe::tools::kUsage;
  }
  return status;
}
