// `memsafe check`: configure, build and test the project's presets and judge the run.
#include <memory>

#include "check/check.h"
#include "cli/cli.h"

namespace memsafe::cli {

void AddCheckCommand(CLI::App& app, int* status) {
  auto state = std::make_shared<tools::CheckOptions>();
  CLI::App* check = app.add_subcommand(
      "check",
      "Configure, build and test the project's presets and judge the run: without options the fast presets "
      "(vendor.memsafe.runBy \"check\"); with --memory-checks every memory preset (runBy \"memory-checks\") with "
      "a summary, the findings report (SARIF, JUnit, Markdown, JSON under build/memsafe-report/) and the unused "
      "suppressions. Exit 0 when everything passed, 1 on any finding, failed test, missed canary or missing "
      "program, 2 on bad usage.");
  CLI::Option* memory_flag =
      check->add_flag("--memory-checks", state->memory_checks, "Run the memory presets instead of the fast ones");
  CLI::Option* preset_option =
      check->add_option("--preset", state->presets, "These presets (comma-separated) instead of the default set")
          ->check(NotAnOption());
  CLI::Option* shard_option = check
                                  ->add_option("--shard", state->shard,
                                               "With --memory-checks: every N-th test from the I-th, plus every "
                                               "canary (the nightly spreads a preset over N jobs)")
                                  ->check(NotAnOption());
  CLI::Option* test_option =
      check
          ->add_option("--test", state->tests,
                       "With --memory-checks: only the test of this exact CTest name (repeatable), plus every "
                       "canary; a name the build tree does not define fails the run (memsafe bisect's steps)")
          ->check(NotAnOption());
  CLI::Option* slow_flag = check->add_flag(
      "--slow", state->slow,
      "With --memory-checks: the thorough run: also tests labelled memsafe-slow and the valgrind-slow options");
  CLI::Option* no_cache_flag = check->add_flag(
      "--no-cache", state->no_cache,
      "With --memory-checks: run every test; without it the quick run skips tests that passed before while nothing "
      "they depend on changed (executable, libraries, arguments, environment, options, suppressions); canaries "
      "always run, and --slow never uses the cache");
  check
      ->add_option("--jobs", state->jobs,
                   "Run this many tests at once instead of the test preset's number (1 for a project whose tests "
                   "share files and cannot run in parallel)")
      ->check(CLI::Range(1, 256));
  CLI::Option* list_flag = check->add_flag("--list", state->list, "List the presets, their tools and runs");
  CLI::Option* matrix_flag = check->add_flag(
      "--matrix", state->matrix, "Print the nightly job matrix (presets x shards) as JSON; --preset narrows it");
  CLI::Option* dry_flag = check->add_flag("--dry-run", state->dry_run, "Check the arguments, say what would run");
  check->add_option("--source", state->source, "The project (default: .)");
  check->add_option("--sanitizers", state->sanitizers_dir,
                    "The suppression files and options (default: <source>/sanitizers)");
  check
      ->add_option("--report-dir", state->report_dir,
                   "Where the findings reports go (default: <source>/build/memsafe-report)")
      ->check(NotAnOption());
  check->add_option("--exclude", state->exclude, "Code under this directory is not the project's own");
  CLI::Option* detection_option =
      check
          ->add_option("--detection-table", state->detection_table,
                       "The detection corpus's table in this file must agree with what the run's presets caught "
                       "(see memsafe detection-table); compared on a --slow run of every test, which has every "
                       "result, and skipped, saying so, on a quick, sharded or --test run")
          ->check(NotAnOption());
  check
      ->add_option("--detection-corpus", state->detection_corpus,
                   "The corpus for --detection-table (default: <source>/tests/detection/corpus.txt)")
      ->needs(detection_option);
  // The table holds every detection test's result; RunCheck compares it only when the
  // run has them all, so check.sh can pass it with whatever options it passes on.
  detection_option->needs(memory_flag);
  shard_option->needs(memory_flag);
  test_option->needs(memory_flag)->excludes(shard_option);
  slow_flag->needs(memory_flag);
  no_cache_flag->needs(memory_flag);
  list_flag->excludes(memory_flag, preset_option, shard_option, slow_flag, matrix_flag, dry_flag);
  matrix_flag->excludes(memory_flag, shard_option, slow_flag, dry_flag);
  check->callback([state, status] { *status = tools::RunCheck(*state); });
}

}  // namespace memsafe::cli
