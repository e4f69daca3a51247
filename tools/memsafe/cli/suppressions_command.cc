// `memsafe suppressions lint | review | add | unused`: the suppression files' lifecycle.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "common/text.h"
#include "suppressions/suppression_commands.h"

namespace memsafe::cli {
namespace {

struct SuppressionsState {
  std::string dir = "sanitizers";
  std::vector<std::string> files;
  std::vector<std::string> scanned;
  std::string today_text;
  long long within = 0;
  std::string from_report;
  bool add_dry_run = false;
  std::vector<std::string> log_dirs;
};

// `action` is lint, review, add or unused.
int RunSuppressions(SuppressionsState& state, const std::string& action) {
  int today = tools::Today();
  if (!state.today_text.empty()) {
    const std::optional<int> parsed = tools::ParseDate(state.today_text);
    if (!parsed) {
      std::cerr << "memsafe: --today wants YYYY-MM-DD, got '" << state.today_text << "'\n";
      return tools::kUsage;
    }
    today = *parsed;
  }
  if (action == "add") return tools::AddDraftsCommand(state.from_report, state.dir, today, state.add_dry_run);
  if (state.files.empty()) state.files = tools::DefaultSuppressionFiles(state.dir);
  if (state.files.empty()) {
    std::cerr << "memsafe: no suppression files in '" << state.dir << "'\n";
    return tools::kUsage;
  }
  if (action == "lint") return tools::LintCommand(state.files, state.scanned);
  if (action == "unused") return tools::UnusedCommand(state.files, state.log_dirs);
  return tools::ReviewCommand(state.files, today, state.within);
}

}  // namespace

void AddSuppressionsCommand(CLI::App& app, int* status) {
  auto state = std::make_shared<SuppressionsState>();
  CLI::App* suppressions = app.add_subcommand("suppressions", "Check and review suppression files");
  suppressions->require_subcommand(1);

  CLI::App* lint = suppressions->add_subcommand("lint", "Syntax and metadata of every entry; the options list");
  lint->add_option("--dir", state->dir, "Directory with the suppression files (default: sanitizers)");
  lint->add_option("files", state->files, "Files to check instead of the directory's");
  lint->add_option("--scan", state->scanned,
                   "Also check every *SAN_OPTIONS string in these files (scripts, workflows, presets)");

  CLI::App* review = suppressions->add_subcommand("review", "Entries whose review-by date has passed or is near");
  review->add_option("--dir", state->dir, "Directory with the suppression files (default: sanitizers)");
  review->add_option("--today", state->today_text, "Take this date as today (YYYY-MM-DD)");
  review->add_option("--within", state->within, "Also list entries due within this many days")
      ->check(CLI::Range(0LL, 36500LL));
  review->add_option("files", state->files, "Files to review instead of the directory's");

  CLI::App* add = suppressions->add_subcommand(
      "add",
      "Draft one entry per finding of a findings report, for a project's first run: the lint lists each "
      "draft until its reason and tracker are written");
  add->add_option("--from-report", state->from_report, "memsafe report's JSON (build/memsafe-report/findings.json)")
      ->required();
  add->add_option("--dir", state->dir, "Directory with the suppression files (default: sanitizers)");
  add->add_option("--today", state->today_text, "Take this date as today (YYYY-MM-DD)");
  add->add_flag("--dry-run", state->add_dry_run, "Print the drafts, write nothing");

  CLI::App* unused = suppressions->add_subcommand("unused", "Entries that no run in the logs matched");
  unused->add_option("--dir", state->dir, "Directory with the suppression files (default: sanitizers)");
  unused->add_option("--file", state->files, "A suppression file to judge instead of the directory's");
  unused->add_option("logdirs", state->log_dirs, "build/<preset>/memcheck directories, build/<preset>, or build")
      ->required();

  for (CLI::App* action : {lint, review, add, unused}) {
    action->callback([state, status, action] { *status = RunSuppressions(*state, action->get_name()); });
  }
}

}  // namespace memsafe::cli
