#include "fuzz_targets.h"

#include <string_view>
#include <vector>

#include "options_lint.h"
#include "report.h"
#include "report_output.h"
#include "suppressions.h"

namespace memsafe::tools {
namespace {

std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

const ReportContext& Context() {
  static const ReportContext context{"/work/main/", {"/work/main/build/"}};
  return context;
}

// Every output format over the findings: they escape what the parsers let through.
void FormatAll(const std::vector<Finding>& findings, const std::vector<InputError>& errors) {
  const std::vector<Group> groups = Deduplicate(findings);
  ReportSummary summary;
  summary.logs = 1;
  summary.errors = errors;
  // The strings are discarded: the formatting itself is what is being tested.
  (void)FormatTable(groups, summary);
  (void)FormatMarkdown(groups, summary);
  (void)FormatJunit(groups);
  (void)FormatSarif(groups, Context());
  (void)FormatJson(groups, summary);
  (void)FormatAnnotations(groups);
}

using LogParser = std::vector<Finding> (*)(std::string_view, const LogFile&, const ReportContext&,
                                           std::vector<InputError>*);

// A log through its parser, every output format, and the suppression-use reader.
int FuzzLog(const uint8_t* data, size_t size, const LogFile& log, LogParser parse) {
  std::vector<InputError> errors;
  FormatAll(parse(AsText(data, size), log, Context(), &errors), errors);
  (void)ParseSuppressionsUsed(AsText(data, size), log);  // only the absence of a crash matters
  return 0;
}

}  // namespace

int FuzzSanitizerLog(const uint8_t* data, size_t size) {
  return FuzzLog(data, size, {"fuzz.asan.1", "fuzz", "asan", "fuzz", false, false}, ParseSanitizerLog);
}

int FuzzValgrindXml(const uint8_t* data, size_t size) {
  return FuzzLog(data, size, {"fuzz.valgrind.1.xml", "fuzz", "valgrind", "fuzz", true, false}, ParseValgrindXml);
}

int FuzzSuppressionFile(const uint8_t* data, size_t size) {
  // The file name picks the syntax: try the input as each of them.
  for (const char* path : {"lsan.supp", "tsan.supp", "asan.supp", "valgrind.supp", "ubsan_ignorelist.txt"}) {
    (void)ParseSuppressions(path, AsText(data, size));  // only the absence of a crash matters
  }
  return 0;
}

int FuzzOptionsList(const uint8_t* data, size_t size) {
  // Only the absence of a crash matters.
  (void)LintOptions(AsText(data, size));
  (void)LintOptionStrings(AsText(data, size));
  return 0;
}

FuzzEntry FuzzEntryFor(const std::string& name) {
  if (name == "sanitizer_log") return FuzzSanitizerLog;
  if (name == "valgrind_xml") return FuzzValgrindXml;
  if (name == "suppression_file") return FuzzSuppressionFile;
  if (name == "options_list") return FuzzOptionsList;
  return nullptr;
}

}  // namespace memsafe::tools
