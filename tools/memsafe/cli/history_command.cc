// `memsafe history record | diff`: the project's memory history (history.h).
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "common/commands.h"
#include "common/process.h"
#include "common/text.h"
#include "history/history.h"

namespace memsafe::cli {
namespace {

struct HistoryState {
  std::string db = "memsafe-history.db";
  std::string commit, since, sarif;
  std::string out_dir, source_url;
  std::vector<std::string> report_dirs = {"build/memsafe-report"};
  std::string baseline;
  std::string run_key;
  bool json = false;
};

// The full id of `revision` in the git work tree here; nullopt when git does not know it.
std::optional<std::string> ResolveCommit(const std::string& revision) {
  tools::ProcessOptions options;
  options.capture_stdout = true;
  // git says "not a git repository" on stderr even with --quiet: the caller says it better.
  options.discard_output = true;
  const tools::ProcessResult result =
      tools::RunProcess({"git", "rev-parse", "--verify", "--quiet", revision + "^{commit}"}, options);
  const std::string id(tools::Trim(result.output));
  if (!result.started || result.exit_code != 0 || id.empty()) return std::nullopt;
  return id;
}

std::string NowUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  char text[32] = "";
  if (gmtime_r(&now, &parts) == nullptr || std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts) == 0) {
    return "unknown";  // a clock past year 9999: the run is still recorded, undated
  }
  return text;
}

int Record(const HistoryState& state) {
  std::string commit = state.commit;
  if (const std::optional<std::string> id = ResolveCommit(state.commit.empty() ? "HEAD" : state.commit)) {
    commit = *id;
  } else if (commit.empty()) {
    std::cerr << "memsafe history record: not in a git work tree with a commit: name the run with --commit\n";
    return tools::kUsage;
  }
  std::string error;
  std::optional<tools::RunRecord> run = tools::ReadRunReports(state.report_dirs, commit, NowUtc(), &error);
  if (!run) {
    std::cerr << "memsafe history record: " << error << " (run memsafe check --memory-checks first)\n";
    return tools::kUsage;
  }
  run->key = state.run_key;
  if (!state.baseline.empty()) {
    std::optional<std::vector<tools::RecordedPeak>> peaks = tools::ReadBaselinePeaks(state.baseline, &error);
    if (!peaks) {
      std::cerr << "memsafe history record: " << error << " (nothing was recorded)\n";
      return tools::kUsage;
    }
    run->peaks = std::move(*peaks);
  }
  const std::unique_ptr<tools::History> history = tools::History::Open(state.db, &error, /*create=*/true);
  if (!history) {
    std::cerr << "memsafe history record: " << error << " (nothing was recorded)\n";
    return tools::kUsage;
  }
  if (!history->Record(*run, &error)) {
    std::cerr << "memsafe history record: " << state.db << ": " << error << " (nothing was recorded)\n";
    return tools::kUsage;
  }
  std::cout << "memsafe history: recorded run " << run->id << " of " << commit << ": " << run->findings.size()
            << " finding(s), " << run->presets.size() << " preset(s), " << run->peaks.size()
            << " baseline scenario(s), into " << state.db << "\n";
  return tools::kClean;
}

int Diff(const HistoryState& state) {
  std::string error;
  const std::unique_ptr<tools::History> history = tools::History::Open(state.db, &error);
  if (!history) {
    std::cerr << "memsafe history diff: " << error << "\n";
    return tools::kUsage;
  }
  std::string since = state.since;
  if (const std::optional<std::string> id = since.empty() ? std::nullopt : ResolveCommit(since)) since = *id;
  const std::optional<tools::HistoryDiff> diff = history->Diff(since, &error);
  if (!diff) {
    std::cerr << "memsafe history diff: " << state.db << ": " << error << "\n";
    return tools::kUsage;
  }
  if (!state.sarif.empty()) {
    std::string text;
    if (!tools::ReadWholeFile(state.sarif, &text, &error) || !tools::MarkSarifBaseline(*diff, &text, &error) ||
        !tools::WriteText(state.sarif, text)) {
      std::cerr << "memsafe history diff: " << state.sarif << ": " << error << "\n";
      return tools::kUsage;
    }
  }
  std::cout << (state.json ? tools::FormatHistoryDiffJson(*diff) : tools::FormatHistoryDiff(*diff));
  // A run whose presets did not all check passes no gate: what they missed is unknown.
  return diff->added.empty() && diff->unchecked_presets.empty() ? tools::kClean : tools::kFindings;
}

int Html(const HistoryState& state) {
  std::string error;
  const std::unique_ptr<tools::History> history = tools::History::Open(state.db, &error);
  const std::optional<std::vector<tools::RunRecord>> timeline = history ? history->Timeline(&error) : std::nullopt;
  if (!timeline) {
    std::cerr << "memsafe history html: " << state.db << ": " << error << "\n";
    return tools::kUsage;
  }
  std::error_code made;
  std::filesystem::create_directories(state.out_dir, made);
  // Links to the project's files: the source tree here unless a URL prefix is given.
  const std::string source_url =
      !state.source_url.empty() ? state.source_url : "file://" + std::filesystem::current_path(made).string() + "/";
  const std::string page = (std::filesystem::path(state.out_dir) / "index.html").string();
  if (made || !tools::WriteText(page, tools::FormatHistoryHtml(*timeline, source_url))) {
    std::cerr << "memsafe history html: cannot write " << page << "\n";
    return tools::kUsage;
  }
  std::cout << "memsafe history: " << timeline->size() << " run(s) in " << page << "\n";
  return tools::kClean;
}

}  // namespace

void AddHistoryCommand(CLI::App& app, int* status) {
  auto state = std::make_shared<HistoryState>();
  CLI::App* history = app.add_subcommand(
      "history",
      "The project's memory history in one SQLite file: record each memory-check run, and say which findings are "
      "new, known (since which commit) or fixed");
  history->require_subcommand(1);
  CLI::App* record = history->add_subcommand(
      "record",
      "Record the last memsafe check --memory-checks run (its this-run/ summary and findings; several report "
      "directories make one run)");
  record->add_option("--db", state->db, "The history database (default: memsafe-history.db; created when missing)");
  record->add_option("--commit", state->commit, "The run's commit (default: HEAD of the git work tree here)");
  record
      ->add_option("--baseline", state->baseline,
                   "The peaks `memsafe baseline check --measured FILE` wrote, recorded with the run")
      ->check(NotAnOption());
  record->add_option("--run-key", state->run_key,
                     "Name the run (a CI run's id): recording a run of the same key again replaces it");
  record->add_option("report_dir", state->report_dirs,
                     "memsafe check's report directories, one run in all (default: build/memsafe-report; the "
                     "nightly has one per preset or shard)");
  record->callback([state, status] { *status = Record(*state); });
  CLI::App* diff = history->add_subcommand(
      "diff",
      "The last recorded run against the one before (or the last run of --since): new, known and fixed "
      "findings; exit 1 when a finding is new");
  diff->add_option("--db", state->db, "The history database (default: memsafe-history.db)");
  diff->add_option("--since", state->since, "Compare with the last run of this commit instead");
  diff->add_flag("--json", state->json, "Print the diff as JSON");
  diff->add_option("--sarif", state->sarif,
                   "Mark this SARIF log of the last run (memsafe report's) with each result's baselineState for code "
                   "scanning: new, unchanged, and the fixed findings as absent")
      ->check(NotAnOption());
  diff->callback([state, status] { *status = Diff(*state); });
  CLI::App* html = history->add_subcommand(
      "html", "Write the dashboard: one self-contained DIR/index.html with the findings and times over the runs");
  html->add_option("--db", state->db, "The history database (default: memsafe-history.db)");
  html->add_option("--out", state->out_dir, "The directory of index.html")->required()->check(NotAnOption());
  html->add_option("--source-url", state->source_url,
                   "Where each finding's file:line links to: a URL prefix such as "
                   "https://github.com/OWNER/REPO/blob/COMMIT/ (default: file:// of the directory here)");
  html->callback([state, status] { *status = Html(*state); });
}

}  // namespace memsafe::cli
