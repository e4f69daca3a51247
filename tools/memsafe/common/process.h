// Starting child processes: the one way the memsafe tool runs another program.
//
// Example:
//   memsafe::tools::ProcessOptions options;
//   options.capture_stdout = true;
//   memsafe::tools::ProcessResult r = memsafe::tools::RunProcess({"ctest", "--version"}, options);
//   if (r.started && r.exit_code == 0) std::cout << r.output;
//
// The child inherits stdin, stdout and stderr unless told otherwise; the caller waits
// for it. No shell is involved: arguments reach the program as given.
//
// Thread-safety: safe to call from several threads (each call waits for its own child).
// Failure: a program that cannot be started gives started == false and a message in
// `error`; a child killed by a signal gives signal != 0 and exit_code 128 + signal.
#ifndef MEMSAFE_TOOLS_PROCESS_H_
#define MEMSAFE_TOOLS_PROCESS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace memsafe::tools {

struct ProcessOptions {
  bool capture_stdout = false;  // collect stdout into ProcessResult::output
  bool discard_output = false;  // stderr (and stdout unless captured) to /dev/null
  std::string output_file;      // stdout and stderr both to this file, emptied first
  // A process group of its own: a Ctrl-C at the terminal (sent to the foreground group)
  // does not reach it, so a step the caller must finish (putting a work tree back) runs
  // to its end.
  bool own_process_group = false;
  std::string working_directory;  // empty: the caller's
  // Variables set (a value) or removed (nullopt) for the child only.
  std::map<std::string, std::optional<std::string>> environment;
};

struct ProcessResult {
  bool started = false;
  int exit_code = -1;  // the status, or 128 + the signal that ended the child
  int signal = 0;
  long max_rss_kib = 0;  // the child's peak resident set
  std::string output;    // with capture_stdout
  std::string error;     // why it could not be started or waited for
};

ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Whether `program` is found on PATH (or exists, when it names a path).
bool ProgramExists(const std::string& program);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_PROCESS_H_
