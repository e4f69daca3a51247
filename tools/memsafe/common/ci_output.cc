#include "common/ci_output.h"

#include <cstdlib>
#include <fstream>
#include <iostream>

namespace memsafe::tools {

bool InActions() {
  const char* value = std::getenv("GITHUB_ACTIONS");
  return value != nullptr && std::string(value) == "true";
}

void GroupStart(const std::string& title) {
  // A title holds paths and preset names: escaped, a newline in one cannot end the group
  // command and start another.
  std::cout << (InActions() ? "::group::" + EscapeWorkflowData(title) : "\n== " + title) << std::endl;
}

void GroupEnd() {
  if (InActions()) std::cout << "::endgroup::" << std::endl;
}

void AppendStepSummary(const std::string& markdown) {
  const char* path = std::getenv("GITHUB_STEP_SUMMARY");
  if (path == nullptr || *path == '\0') return;
  std::ofstream out(path, std::ios::app);
  out << markdown;
}

std::string EscapeWorkflowData(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string ProblemLine(const std::string& command, const std::string& plain, const std::string& text) {
  return InActions() ? "::" + command + "::" + EscapeWorkflowData(text) : plain + text;
}

}  // namespace memsafe::tools
