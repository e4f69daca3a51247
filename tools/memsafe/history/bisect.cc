#include "history/bisect.h"

#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "common/commands.h"
#include "common/process.h"
#include "common/text.h"
#include "history/history.h"

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kInterrupted = 130;  // the shell's status for a command stopped by SIGINT
constexpr int kMaxSteps = 64;      // 2^64 commits: a bisect that has not ended by then never will

volatile std::sig_atomic_t g_interrupted = 0;
void OnStopSignal(int) { g_interrupted = 1; }

// Ctrl-C, a CI runner's cancel (SIGTERM) or a closed terminal: the running step ends (it
// gets the signal too), then the work tree is put back. Handlers restored on exit.
class StopSignals {
 public:
  StopSignals() {
    g_interrupted = 0;
    struct sigaction action {};
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < kCount; ++i) (void)sigaction(kSignals[i], &action, &previous_[i]);  // valid signals
  }
  ~StopSignals() {
    for (size_t i = 0; i < kCount; ++i) (void)sigaction(kSignals[i], &previous_[i], nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
  static constexpr size_t kCount = sizeof kSignals / sizeof kSignals[0];
  struct sigaction previous_[kCount] = {};
};

struct GitResult {
  bool ok = false;
  std::string out;  // stdout, trimmed
};

// git with `args`; its stderr is shown only when `show_errors` (git's own words are the
// best explanation of a failed checkout).
GitResult Git(const std::vector<std::string>& args, bool show_errors = false) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.capture_stdout = true;
  options.discard_output = !show_errors;
  // A Ctrl-C stops the step that runs, not a checkout or the bisect's bookkeeping half
  // done: git runs outside the terminal's foreground group.
  options.own_process_group = true;
  const ProcessResult result = RunProcess(argv, options);
  return {result.started && result.exit_code == 0, std::string(Trim(result.output))};
}

std::string Subject(const std::string& commit) { return Git({"log", "-1", "--format=%s", commit}).out; }

// HEAD and its branch as they were, put back on request and on destruction.
class WorkTree {
 public:
  bool Capture(std::string* error) {
    const GitResult head = Git({"rev-parse", "--verify", "HEAD"});
    if (!head.ok) {
      *error = "not in a git work tree with a commit";
      return false;
    }
    sha_ = head.out;
    branch_ = Git({"symbolic-ref", "-q", "--short", "HEAD"}).out;  // empty: a detached HEAD
    return true;
  }
  std::string Where() const { return (branch_.empty() ? "detached HEAD " : branch_ + " at ") + ShortCommit(sha_); }
  bool CheckOut(const std::string& commit) {
    moved_ = true;
    return Git({"checkout", "-q", "--detach", commit}, /*show_errors=*/true).ok;
  }
  bool StartBisect(const std::string& bad, const std::string& good, std::string* output) {
    bisecting_ = true;
    const GitResult started = Git({"bisect", "start", bad, good}, /*show_errors=*/true);
    *output = started.out;
    return started.ok;
  }
  // Puts HEAD back and checks that it is; false, with what is wrong, when it is not.
  bool Restore(std::string* error) {
    if (bisecting_) {
      (void)Git({"bisect", "reset"});  // judged by the check below, which says what is wrong
      bisecting_ = false;
    }
    if (moved_) (void)Git({"checkout", "-q", branch_.empty() ? sha_ : branch_});
    moved_ = false;
    const std::string head = Git({"rev-parse", "--verify", "HEAD"}).out;
    const std::string branch = Git({"symbolic-ref", "-q", "--short", "HEAD"}).out;
    const std::string changed = Git({"status", "--porcelain", "--untracked-files=no"}).out;
    if (head == sha_ && branch == branch_ && changed.empty()) return true;
    if (head == sha_ && branch == branch_) {
      *error = "tracked files differ from " + ShortCommit(sha_) + ":\n" + changed;
      return false;
    }
    *error = "HEAD is " + (branch.empty() ? std::string() : branch + " at ") + ShortCommit(head) + ", not " + Where() +
             ": check out " + (branch_.empty() ? sha_ : branch_) + " by hand";
    return false;
  }
  ~WorkTree() {
    std::string error;
    if ((bisecting_ || moved_) && !Restore(&error)) std::cerr << "memsafe bisect: " << error << "\n";
  }

 private:
  std::string sha_, branch_;
  bool moved_ = false, bisecting_ = false;
};

// Files of the work tree that HEAD does not track but --good or a commit after it does:
// a checkout would overwrite them when ignored (a local config file) or fail on them.
std::string UntrackedFilesTheRangeTracks(const std::string& good, const std::string& bad) {
  const std::string top = Git({"rev-parse", "--show-toplevel"}).out;
  // Each listing kept in a local: the views SplitLines returns point into it.
  const std::string here = Git({"ls-files", "--full-name"}).out;
  const std::string at_good = Git({"ls-tree", "-r", "--name-only", "--full-tree", good}).out;
  const std::string changed = Git({"log", "--format=", "--name-only", good + ".." + bad}).out;
  std::set<std::string> tracked_here;
  for (std::string_view line : SplitLines(here)) tracked_here.emplace(line);
  std::set<std::string> in_range;
  for (std::string_view line : SplitLines(at_good)) in_range.emplace(line);
  for (std::string_view line : SplitLines(changed)) {
    if (!line.empty()) in_range.emplace(line);
  }
  std::string risky;
  std::error_code error;
  for (const std::string& path : in_range) {
    if (tracked_here.count(path) == 0 && fs::exists(fs::path(top) / path, error)) risky += "  " + path + "\n";
  }
  return risky;
}

// The full ids of --good and --bad, or why the bisect cannot start.
bool CheckRevisions(const BisectOptions& options, std::string* good, std::string* bad, std::string* error) {
  const GitResult bad_id = Git({"rev-parse", "--verify", "--quiet", options.bad + "^{commit}"});
  const GitResult good_id = Git({"rev-parse", "--verify", "--quiet", options.good + "^{commit}"});
  if (!bad_id.ok || !good_id.ok) {
    *error = "git knows no commit '" + (bad_id.ok ? options.good : options.bad) + "'";
    return false;
  }
  *good = good_id.out;
  *bad = bad_id.out;
  if (*good == *bad || !Git({"merge-base", "--is-ancestor", *good, *bad}).ok) {
    *error = "--good " + options.good + " is not an earlier commit of --bad " + options.bad +
             " (are the two the wrong way round?)";
    return false;
  }
  if (const GitResult changes = Git({"status", "--porcelain", "--untracked-files=no"}); !changes.ok) {
    *error = "git status failed";
    return false;
  } else if (!changes.out.empty()) {
    *error =
        "the work tree has changes to tracked files; commit or stash them first (a bisect checks out other "
        "commits):\n" +
        changes.out;
    return false;
  }
  if (std::string risky = UntrackedFilesTheRangeTracks(*good, *bad); !risky.empty()) {
    *error =
        "files here are not tracked but are in a commit the bisect checks out, and git would overwrite "
        "(ignored) or refuse (untracked) them; move them away first:\n" +
        risky;
    return false;
  }
  if (fs::exists(Git({"rev-parse", "--git-path", "BISECT_LOG"}).out)) {
    *error = "a git bisect is already in progress here (git bisect reset ends it)";
    return false;
  }
  return true;
}

// The finding's kind, location, tests and presets: from the history, else the last report.
bool LearnFinding(const BisectOptions& options, SoughtFinding* sought, std::string* error) {
  std::optional<RecordedFinding> found;
  if (!options.db.empty()) {
    const std::unique_ptr<History> history = History::Open(options.db, error);
    if (!history) return false;
    found = history->LastSeen(options.signature, error);
    if (!found && !error->empty()) return false;
  } else if (std::optional<RunRecord> run = ReadRunReports({options.report_dir}, "", "", error)) {
    for (RecordedFinding& finding : run->findings) {
      if (finding.signature == options.signature) found = std::move(finding);
    }
  }
  if (!found) {
    *error = "no finding " + options.signature + " in " +
             (options.db.empty() ? options.report_dir + "/this-run (the last memsafe check's report)" : options.db) +
             (options.preset.empty() ? "; name its --preset (and --test) to look for it anyway" : "");
    if (options.preset.empty()) return false;
    error->clear();
  }
  sought->signature = options.signature;
  if (found) {
    *sought = {options.signature, found->kind, found->file, found->function, found->tests, found->presets};
  }
  if (!options.tests.empty()) sought->tests = options.tests;
  if (!options.preset.empty()) sought->presets.insert(sought->presets.begin(), options.preset);
  if (sought->presets.empty()) {
    *error = "the finding " + options.signature + " names no preset: give --preset";
    return false;
  }
  return true;
}

// The command of a step: this memsafe's check unless the options name another.
std::vector<std::string> StepCommand(const BisectOptions& options) {
  if (!options.step_command.empty()) return options.step_command;
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  return {error ? std::string("memsafe") : self.string(), "check"};
}

// One run of the check at the commit checked out; what it showed, said in `what`.
RunVerdict RunOnce(const BisectOptions& options, const SoughtFinding& sought, const std::string& label, int run,
                   std::string* what) {
  const fs::path base = fs::absolute(options.work_dir) / (label + "-run" + std::to_string(run));
  std::error_code ignored;
  (void)fs::remove_all(base, ignored);  // a report of an earlier bisect must not be read as this one's
  fs::create_directories(base, ignored);
  std::vector<std::string> argv = StepCommand(options);
  argv.insert(argv.end(), {"--memory-checks", "--preset", sought.presets.front(), "--report-dir", base.string()});
  for (const std::string& test : sought.tests) argv.insert(argv.end(), {"--test", test});
  // The result cache would answer a rerun from the first run: a rerun must run.
  if (run > 1) argv.push_back("--no-cache");
  ProcessOptions process;
  process.output_file = base.string() + ".log";
  const ProcessResult result = RunProcess(argv, process);
  std::string text, why;
  const std::optional<std::string> match = ReadWholeFile((base / "this-run" / "findings.json").string(), &text, &why)
                                               ? FindingIn(text, sought)
                                               : std::nullopt;
  const std::string log = " (log: " + process.output_file + ")";
  if (match && *match == "signature") {
    *what = "the finding is there";
    return RunVerdict::kBad;
  }
  if (match && *match == "moved") {
    // The same bug at a line an edit moved, or another bug in the same function: not
    // knowing which, the commit says nothing.
    *what = "a finding of the same kind in the same function at another line: this one moved, or another bug" + log;
    return RunVerdict::kSkip;
  }
  if (result.started && result.exit_code == 0 && match) {
    *what = "passed without the finding";
    return RunVerdict::kGood;
  }
  *what = !result.started ? "the check did not start: " + result.error
          : !match        ? "the check left no report (exit " + std::to_string(result.exit_code) + ")" + log
                          : "failed without the finding (exit " + std::to_string(result.exit_code) + ")" + log;
  return RunVerdict::kSkip;
}

// Runs the check at the commit checked out until DecideStep decides.
StepDecision JudgeCommit(const BisectOptions& options, const SoughtFinding& sought, const std::string& label) {
  const std::string head = Git({"rev-parse", "HEAD"}).out;
  std::vector<RunVerdict> runs;
  StepDecision decision = StepDecision::kRunAgain;
  while (decision == StepDecision::kRunAgain && !g_interrupted) {
    std::string what;
    runs.push_back(RunOnce(options, sought, label, static_cast<int>(runs.size()) + 1, &what));
    // The work tree was clean before the bisect: a tracked file changed now was changed by
    // the check (a test that writes into the sources), and is put back before the next.
    if (const std::string changed = Git({"status", "--porcelain", "--untracked-files=no"}).out; !changed.empty()) {
      (void)Git({"checkout", "--", "."}, /*show_errors=*/true);  // judged by Restore's check at the end
      what += "; it changed tracked files, put back:\n" + changed;
    }
    std::cout << "memsafe bisect: " << label << " " << ShortCommit(head) << " " << Subject(head) << ": run "
              << runs.size() << ": " << what << std::endl;
    decision = DecideStep(runs, options.max_runs);
  }
  return g_interrupted ? StepDecision::kSkip : decision;
}

const char* Word(StepDecision decision) {
  switch (decision) {
    case StepDecision::kGood:
      return "good";
    case StepDecision::kBad:
      return "bad";
    case StepDecision::kSkip:
      return "skip";
    case StepDecision::kRunAgain:
      break;
  }
  return "undecided";
}

// Both ends as the user named them: --bad with the finding, --good without. A bisect
// between two wrong ends would name a wrong commit with confidence.
bool CheckEnds(const BisectOptions& options, const SoughtFinding& sought, WorkTree* tree, const std::string& good,
               const std::string& bad, std::string* error) {
  const struct {
    const std::string& commit;
    const char* label;
    StepDecision want;
  } ends[] = {{bad, "--bad", StepDecision::kBad}, {good, "--good", StepDecision::kGood}};
  for (const auto& end : ends) {
    if (!tree->CheckOut(end.commit)) {
      *error = "cannot check out " + std::string(end.label) + " " + ShortCommit(end.commit);
      return false;
    }
    const StepDecision decision = JudgeCommit(options, sought, std::string(end.label).substr(2) + "-end");
    if (g_interrupted) return false;
    if (decision != end.want) {
      *error = std::string(end.label) + " " + ShortCommit(end.commit) + " is " + Word(decision) +
               " for this finding, " + "not " + Word(end.want) + " (the runs above say why)";
      return false;
    }
  }
  return tree->Restore(error);
}

// git bisect's steps until it names the first bad commit; "" when it cannot.
std::string Bisect(const BisectOptions& options, const SoughtFinding& sought, WorkTree* tree, const std::string& good,
                   const std::string& bad, std::string* error) {
  std::string output;
  if (!tree->StartBisect(bad, good, &output)) {
    *error = "git bisect start failed";
    return "";
  }
  for (int step = 1; step <= kMaxSteps && !g_interrupted; ++step) {
    if (std::string first = FirstBadCommit(output); !first.empty()) return first;
    if (output.find("only 'skip'ped commits left") != std::string::npos) {
      *error = "every commit left could not be checked (skipped); the first bad one is among:\n" + output;
      return "";
    }
    const StepDecision decision = JudgeCommit(options, sought, "step-" + std::to_string(step));
    if (g_interrupted) break;
    const std::string head = Git({"rev-parse", "HEAD"}).out;
    // Exit 2 with "only 'skip'ped commits left" is an answer of sorts, read above.
    const GitResult next = Git({"bisect", Word(decision), head}, /*show_errors=*/true);
    output = next.out;
    if (!next.ok && output.find("only 'skip'ped commits left") == std::string::npos) {
      *error = std::string("git bisect ") + Word(decision) + " failed";
      return "";
    }
  }
  if (!g_interrupted) *error = "git bisect did not end after " + std::to_string(kMaxSteps) + " steps";
  return "";
}

}  // namespace

StepDecision DecideStep(const std::vector<RunVerdict>& runs, int max_runs) {
  if (runs.empty()) return StepDecision::kRunAgain;
  int good = 0;
  for (RunVerdict run : runs) {
    if (run == RunVerdict::kBad) return StepDecision::kBad;  // seen once, it is there
    good += run == RunVerdict::kGood ? 1 : 0;
  }
  // A commit whose build or other tests fail cannot say anything of the finding.
  if (runs.front() == RunVerdict::kSkip) return StepDecision::kSkip;
  if (good >= 2) return StepDecision::kGood;
  return static_cast<int>(runs.size()) >= max_runs ? StepDecision::kSkip : StepDecision::kRunAgain;
}

std::optional<std::string> FindingIn(const std::string& findings_json, const SoughtFinding& sought) {
  const json document = json::parse(findings_json, nullptr, false);
  if (!document.is_object() || !document.contains("findings") || !document["findings"].is_array()) return std::nullopt;
  std::string match;
  for (const json& item : document["findings"]) {
    if (!item.is_object()) continue;
    if (item.value("signature", "") == sought.signature) return "signature";
    const json location = item.value("location", json::object());
    if (!sought.file.empty() && !sought.function.empty() && location.is_object() &&
        item.value("kind", "") == sought.kind && location.value("file", "") == sought.file &&
        location.value("function", "") == sought.function) {
      match = "moved";
    }
  }
  return match;
}

std::string FirstBadCommit(const std::string& git_output) {
  constexpr std::string_view kSuffix = " is the first bad commit";
  for (std::string_view line : SplitLines(git_output)) {
    if (line.size() > kSuffix.size() && line.substr(line.size() - kSuffix.size()) == kSuffix) {
      return std::string(line.substr(0, line.size() - kSuffix.size()));
    }
  }
  return "";
}

int RunBisect(const BisectOptions& options) {
  const StopSignals signals;
  std::string good, bad, error;
  SoughtFinding sought;
  WorkTree tree;
  if (!tree.Capture(&error) || !CheckRevisions(options, &good, &bad, &error) ||
      !LearnFinding(options, &sought, &error)) {
    std::cerr << "memsafe bisect: " << error << "\n";
    return kUsage;
  }
  std::cout << "memsafe bisect: finding " << sought.signature
            << (sought.kind.empty() ? "" : " (" + sought.kind + " at " + sought.file + " in " + sought.function + ")")
            << ", preset " << sought.presets.front()
            << ", tests: " << (sought.tests.empty() ? "all" : Join(sought.tests, " ")) << "; between "
            << ShortCommit(good) << " and " << ShortCommit(bad) << std::endl;
  std::string first;
  if (CheckEnds(options, sought, &tree, good, bad, &error)) first = Bisect(options, sought, &tree, good, bad, &error);
  std::string restored;
  const bool back = tree.Restore(&restored);
  if (!first.empty()) {
    std::cout << "first bad commit: " << first << " " << Subject(first) << "\n"
              << "author: " << Git({"log", "-1", "--format=%an <%ae> %aI", first}).out << "\n";
  } else if (!error.empty()) {
    std::cout << "memsafe bisect: " << error << "\n";
  }
  std::cout << "memsafe bisect: "
            << (back ? "the work tree is back as it was: " + tree.Where() : "NOT RESTORED: " + restored) << std::endl;
  if (g_interrupted) {
    std::cout << "memsafe bisect: interrupted\n";
    return kInterrupted;
  }
  return !first.empty() && back ? kClean : kFindings;
}

}  // namespace memsafe::tools
