// `memsafe report` and `memsafe detection-table`: what the memory tools' logs found.
#include <memory>

#include "cli/cli.h"
#include "report/report_commands.h"
#include "report/report_output.h"

namespace memsafe::cli {

void AddReportCommands(CLI::App& app, int* status) {
  auto report_state = std::make_shared<tools::ReportOptions>();
  auto detection_state = std::make_shared<tools::DetectionTableOptions>();
  CLI::App* report = app.add_subcommand(
      "report",
      "Deduplicated findings from memory-tool logs: the harness's build/<preset>/memcheck directories, or any "
      "ASan, LSan, TSan, UBSan or MSan text log and Valgrind XML file, given as files, directories or - (stdin)");
  report
      ->add_option("logs", report_state->inputs,
                   "build/<preset>/memcheck, build/<preset>, build, a directory of logs, a log file, or -")
      ->required();
  report->add_option("--root", report_state->root, "The project's source root (default: .)");
  report->add_option("--exclude", report_state->exclude, "Code under this directory is not the project's own");
  for (const tools::ReportFormat& format : tools::ReportFormats()) {
    report->add_option("--" + format.flag, report_state->files[format.flag], format.help)->check(NotAnOption());
  }
  report->add_flag("--github-annotations", report_state->annotations, "Print ::error annotations for GitHub");
  report->add_flag("--include-canaries", report_state->include_canaries, "Count the canaries' expected findings too");

  CLI::App* detection = app.add_subcommand(
      "detection-table",
      "Which planted bug of a detection corpus each memory preset caught, from the latest run of each build "
      "directory: a Markdown table, checked against a document or written into it");
  detection->add_option("build_dirs", detection_state->build_dirs, "build/<preset> directories")->required();
  detection->add_option("--corpus", detection_state->corpus, "The corpus (default: tests/detection/corpus.txt)");
  detection->add_option("--root", detection_state->root, "The project's source root (default: .)");
  auto* update_option = detection
                            ->add_option("--update", detection_state->update,
                                         "Rewrite the table between the detection-table markers of this file")
                            ->check(NotAnOption());
  detection
      ->add_option("--check", detection_state->check,
                   "Exit 1 when this file's table differs from the run in a preset the run has")
      ->check(NotAnOption())
      ->excludes(update_option);
  report->callback([report_state, status] { *status = tools::ReportCommand(*report_state); });
  detection->callback([detection_state, status] { *status = tools::DetectionTableCommand(*detection_state); });
}

}  // namespace memsafe::cli
