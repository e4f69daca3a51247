// The formats `memsafe report` writes its deduplicated findings in: a terminal table,
// Markdown (for $GITHUB_STEP_SUMMARY), JUnit XML, SARIF 2.1.0 (GitHub code scanning),
// plain JSON, and GitHub workflow-command annotations.
//
// Example:
//   ReportSummary summary{.logs = 120, .canary_findings = 8};
//   std::cout << FormatTable(groups, summary);
//   WriteText("findings.sarif", FormatSarif(groups, context));
//
// Thread-safety: pure functions over values.
// Failure: formatting cannot fail; nlohmann-json and pugixml do the escaping.
#ifndef MEMSAFE_TOOLS_REPORT_OUTPUT_H_
#define MEMSAFE_TOOLS_REPORT_OUTPUT_H_

#include <string>
#include <vector>

#include "report/report.h"

namespace memsafe::tools {

struct ReportSummary {
  int logs = 0;             // log files read
  int canary_findings = 0;  // findings in canary logs, set aside
  // Findings of an interpreter's own code (Finding::interpreters_own), set aside.
  int interpreter_findings = 0;
  std::vector<InputError> errors;
};

std::string FormatTable(const std::vector<Group>& groups, const ReportSummary& summary);
std::string FormatMarkdown(const std::vector<Group>& groups, const ReportSummary& summary);
std::string FormatJunit(const std::vector<Group>& groups);
std::string FormatSarif(const std::vector<Group>& groups, const ReportContext& context);
std::string FormatJson(const std::vector<Group>& groups, const ReportSummary& summary);
std::string FormatAnnotations(const std::vector<Group>& groups);

// What a file format is given to write.
struct ReportInput {
  const std::vector<Group>& groups;
  const ReportSummary& summary;
  const ReportContext& context;
};

// A file format of the report: `memsafe report --<flag> FILE` writes it, and `memsafe
// check` writes it as <report dir>/<default_file>.
struct ReportFormat {
  std::string flag;          // "sarif"
  std::string help;          // the option's help text
  std::string default_file;  // "findings.sarif"
  std::string (*write)(const ReportInput& input);
};

// Every file format, in the order they are written: Markdown, JUnit XML, SARIF, JSON. A
// new format is one row of this registry (report_output.cc) and its writer; the command
// line, memsafe check's report directory and the fuzz targets read the registry.
const std::vector<ReportFormat>& ReportFormats();

// Adds a format to the registry for the rest of the process: for a test that shows a new
// format needs nothing else. Call it before any command reads the registry; not
// thread-safe.
void RegisterReportFormat(ReportFormat format);

// "file:line" of a group's location; "(no frame in the project)", or "(not symbolized:
// ...)" when its stack is bare addresses.
std::string LocationText(const Finding& finding);
// Where the bad access happened, when that is not the location (code excluded from the
// project's own: vendored, a test helper); "" otherwise.
std::string AccessText(const Finding& finding);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_REPORT_OUTPUT_H_
