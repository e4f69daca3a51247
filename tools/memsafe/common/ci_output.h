// Output for GitHub Actions, and its plain equivalent elsewhere: the one place that reads
// GITHUB_ACTIONS and GITHUB_STEP_SUMMARY and writes workflow commands.
//
// Example:
//   GroupStart("asan: configure, build, test");  // "::group::..." in Actions, "== ..." elsewhere
//   std::cout << ProblemLine("error", "memsafe check: FAIL: ", "a canary was missed") << "\n";
//   GroupEnd();
//   AppendStepSummary("| preset | result |\n...");
//
// Thread-safety: writes to std::cout and appends to the summary file; one caller at a time.
// Failure: a step summary that cannot be written is left out (the log has the same text).
#ifndef MEMSAFE_TOOLS_COMMON_CI_OUTPUT_H_
#define MEMSAFE_TOOLS_COMMON_CI_OUTPUT_H_

#include <string>

namespace memsafe::tools {

// Whether this process runs as a step of GitHub Actions.
bool InActions();

// Output between the two folds into a group in the Actions log and gets a header elsewhere.
void GroupStart(const std::string& title);
void GroupEnd();

// Appends Markdown to the job's step summary, when there is one.
void AppendStepSummary(const std::string& markdown);

// A GitHub workflow command's message with %, CR and LF escaped, so that a newline in a
// path or a message cannot end the command early or start another.
std::string EscapeWorkflowData(const std::string& text);

// A warning or error line: the workflow command `command` ("warning", "error") in
// Actions, `plain` followed by the text elsewhere.
std::string ProblemLine(const std::string& command, const std::string& plain, const std::string& text);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_COMMON_CI_OUTPUT_H_
