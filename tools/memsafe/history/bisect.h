// `memsafe bisect`: the first commit at which a finding appears, found with `git bisect`
// and, at each commit it visits, a memory check limited to the tests that reported the
// finding (and the canaries, which show the tool was on).
//
// Example:
//   BisectOptions options;
//   options.good = "v1.2";
//   options.bad = "HEAD";
//   options.signature = "0123456789abcdef";  // as memsafe report and memsafe history print it
//   return RunBisect(options);  // 0: found and printed; 1: could not say; 2: bad usage
//
// How a commit is judged: the check's report has the finding (by its signature, or by
// its kind, file and function when an edit above it moved its line) - bad; the check
// passed without it - good; anything else (a build that fails, another test that fails,
// a missed canary) - skipped, as `git bisect skip`. A finding seen once is proof; its
// absence may be luck (a race not hit this time), so a commit is good only when a second
// run without the result cache agrees, and a commit whose runs disagree is run again.
// Both ends are checked first: --bad must have the finding and --good must not.
//
// The work tree and HEAD are left as they were: on success, on every error, and on
// SIGINT, SIGTERM or SIGHUP (the bisect stops after the running step and exits 130). A
// work tree with changes to tracked files, a bisect already in progress, a --good that is
// not an ancestor of --bad, are refused before anything is checked out.
//
// Thread-safety: runs git and memsafe check as child processes and changes the process's
// signal handlers while it runs; one call at a time.
// Failure: every problem is printed; the status says which kind.
#ifndef MEMSAFE_TOOLS_BISECT_H_
#define MEMSAFE_TOOLS_BISECT_H_

#include <optional>
#include <string>
#include <vector>

namespace memsafe::tools {

struct BisectOptions {
  std::string good, bad;           // any revision git knows
  std::string signature;           // the finding's 16 hex digits
  std::string preset;              // empty: the first preset that reported the finding
  std::vector<std::string> tests;  // empty: the tests that reported the finding
  // Where the finding's kind, location, tests and presets are looked up: the history
  // database when given, else the last check's report.
  std::string db;
  std::string report_dir = "build/memsafe-report";
  std::string work_dir = "build/memsafe-bisect";  // each step's log and report
  // The check of a step, followed by its arguments (--memory-checks --preset P --test T
  // --report-dir DIR [--no-cache]); empty: this memsafe's `check`.
  std::vector<std::string> step_command;
  int max_runs = 4;  // runs of one commit before it is skipped as undecided
};

int RunBisect(const BisectOptions& options);

// What one run of a commit showed, and what the runs so far decide.
enum class RunVerdict { kGood, kBad, kSkip };
enum class StepDecision { kRunAgain, kGood, kBad, kSkip };
StepDecision DecideStep(const std::vector<RunVerdict>& runs, int max_runs);

// The finding as bisect looks for it in each step's report.
struct SoughtFinding {
  std::string signature, kind, file, function;
  std::vector<std::string> tests, presets;
};

// Whether a findings.json (memsafe report's) has the finding: "signature", "moved" (same
// kind, file and function, another line), or "" when it has not. nullopt when the text is
// not a findings report.
std::optional<std::string> FindingIn(const std::string& findings_json, const SoughtFinding& sought);

// The commit id `git bisect good|bad|skip` names as the first bad one, or "".
std::string FirstBadCommit(const std::string& git_output);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_BISECT_H_
