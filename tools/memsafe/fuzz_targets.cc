#include "fuzz_targets.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

#include "suppressions/suppression_commands.h"

#include "common/memory_tools.h"
#include "report/report.h"
#include "report/report_output.h"
#include "suppressions/options_lint.h"
#include "suppressions/suppressions.h"

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;

std::string_view AsText(const uint8_t* data, size_t size) { return {reinterpret_cast<const char*>(data), size}; }

const ReportContext& Context() {
  static const ReportContext context{"/work/main/", {"/work/main/build/"}, DefaultExcludedNames()};
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
  (void)FormatAnnotations(groups);
  const ReportContext context = Context();
  for (const ReportFormat& format : ReportFormats()) (void)format.write({groups, summary, context});
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
  return FuzzLog(
      data, size,
      {.path = "fuzz.asan.1", .test = "fuzz", .tool = "asan", .preset = "fuzz", .xml = false, .expected = false},
      ParseSanitizerLog);
}

int FuzzValgrindXml(const uint8_t* data, size_t size) {
  return FuzzLog(data, size,
                 {.path = "fuzz.valgrind.1.xml",
                  .test = "fuzz",
                  .tool = "valgrind",
                  .preset = "fuzz",
                  .xml = true,
                  .expected = false},
                 ParseValgrindXml);
}

int FuzzSuppressionFile(const uint8_t* data, size_t size) {
  // The file name picks the syntax: try the input as each of them.
  for (const MemoryTool& tool : MemoryTools()) {
    (void)ParseSuppressions(std::string(tool.suppression_file), AsText(data, size));  // only a crash matters
  }
  return 0;
}

int FuzzOptionsList(const uint8_t* data, size_t size) {
  // Only the absence of a crash matters.
  (void)LintOptions(AsText(data, size));
  (void)LintOptionStrings(AsText(data, size));
  return 0;
}

namespace {

// A private scratch directory for FuzzLogTree, made once per process.
const fs::path& ScratchRoot() {
  static const fs::path root = [] {
    std::string pattern = (fs::temp_directory_path() / "memsafe-fuzz-tree-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    return fs::path(pattern);
  }();
  return root;
}

// A relative name that stays inside the tree: no "..", no absolute paths, short.
bool SafeName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/') return false;
  size_t start = 0;
  while (start <= name.size()) {
    const size_t end = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return name.find('\0') == std::string_view::npos;
}

}  // namespace

int FuzzLogTree(const uint8_t* data, size_t size) {
  const fs::path tree = ScratchRoot() / "tree";
  std::error_code ignored;
  fs::remove_all(tree, ignored);
  fs::create_directories(tree / "build" / "asan" / "memcheck", ignored);
  int entries = 0;
  for (std::string_view line : SplitLines(AsText(data, size))) {
    if (++entries > 32) break;
    if (line.size() < 3 || line[1] != ' ') continue;
    std::string_view rest = line.substr(2);
    const size_t space = rest.find(' ');
    const std::string_view name = rest.substr(0, space);
    const std::string_view extra = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (!SafeName(name)) continue;
    const fs::path path = tree / std::string(name);
    fs::create_directories(path.parent_path(), ignored);
    // Every call here may fail (a name already taken, a parent that is a file): the
    // tree is whatever could be built, which is the point.
    switch (line[0]) {
      case 'f':
        std::ofstream(path, std::ios::binary) << extra;
        break;
      case 'd':
        fs::create_directories(path, ignored);
        break;
      case 'l':
        fs::create_symlink(std::string(extra), path, ignored);
        break;
      case 'p':
        (void)mkfifo(path.c_str(), 0600);
        break;
      default:
        break;
    }
  }
  std::vector<InputError> errors;
  for (const std::vector<std::string>& inputs :
       {std::vector<std::string>{tree.string()}, std::vector<std::string>{(tree / "build").string()},
        std::vector<std::string>{(tree / "build" / "asan").string(), (tree / "logs").string()}}) {
    const LogSet logs = CollectLogs(inputs, &errors);
    FormatAll(ReadLogs(logs, Context(), &errors), errors);
  }
  (void)DefaultSuppressionFiles((tree / "sanitizers").string());  // only the absence of a crash or hang matters
  fs::remove_all(tree, ignored);
  return 0;
}

FuzzEntry FuzzEntryFor(const std::string& name) {
  if (name == "log_tree") return FuzzLogTree;
  if (name == "sanitizer_log") return FuzzSanitizerLog;
  if (name == "valgrind_xml") return FuzzValgrindXml;
  if (name == "suppression_file") return FuzzSuppressionFile;
  if (name == "options_list") return FuzzOptionsList;
  return nullptr;
}

}  // namespace memsafe::tools
