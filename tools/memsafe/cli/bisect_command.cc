// `memsafe bisect`: the first commit at which a finding appears (bisect.h).
#include <memory>
#include <regex>

#include "cli/cli.h"
#include "history/bisect.h"

namespace memsafe::cli {

void AddBisectCommand(CLI::App& app, int* status) {
  auto state = std::make_shared<tools::BisectOptions>();
  CLI::App* bisect = app.add_subcommand(
      "bisect",
      "The first commit at which a finding appears: git bisect between --good and --bad, each commit checked with "
      "memsafe check --memory-checks limited to the tests that reported the finding (and the canaries). A commit "
      "that does not build or whose other tests fail is skipped; a commit is good only when two runs agree. The "
      "work tree and HEAD are left as they were, also on Ctrl-C. Exit 0 when the commit is found, 1 when it cannot "
      "be said, 2 on bad usage (unknown or swapped commits, a dirty work tree, an unknown finding), 130 when "
      "interrupted.");
  bisect->add_option("--good", state->good, "A commit without the finding")->required();
  bisect->add_option("--bad", state->bad, "A later commit with the finding")->required();
  bisect
      ->add_option("--signature", state->signature,
                   "The finding's signature (16 hex digits, as memsafe report and memsafe history diff print it)")
      ->required()
      ->check(CLI::Validator(
          [](std::string& value) {
            return std::regex_match(value, std::regex("[0-9a-f]{16}")) ? std::string()
                                                                       : "a signature is 16 lowercase hex digits";
          },
          "SIGNATURE"));
  bisect->add_option("--preset", state->preset, "The memory preset to check with (default: the finding's first)");
  bisect->add_option("--test", state->tests,
                     "Check with this CTest test (repeatable; default: the tests that reported the finding)");
  bisect->add_option("--db", state->db,
                     "Learn the finding from this history database (default: from the last memsafe check's report)");
  bisect->add_option("--report-dir", state->report_dir,
                     "The last memsafe check's report directory (default: build/memsafe-report)");
  bisect
      ->add_option("--work-dir", state->work_dir, "Where each step's log and report go (default: build/memsafe-bisect)")
      ->check(NotAnOption());
  bisect->callback([state, status] { *status = tools::RunBisect(*state); });
}

}  // namespace memsafe::cli
