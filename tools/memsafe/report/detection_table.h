// The detection table: which planted bug of a corpus each memory preset catches,
// built from a finished run rather than typed.
//
// A corpus (memsafe's tests/detection/corpus.txt) lists small programs with one
// planted bug each, and clean look-alikes; each runs as the test "detection.<case>"
// under every memory preset. The test passes only when the preset's tool reported the
// bug's kind at its line (the test command carries --expect), or, under a preset whose
// tools cannot see it, when the program ran clean. From the presets' CTest results and
// their logs this file builds one row per case: caught, not caught, clean or not run
// per preset, and how many rows `memsafe report` gives the bug across all of them
// (one, when the tools agree on what and where it is).
//
// Example:
//   std::optional<std::vector<CorpusCase>> corpus = ParseCorpus(text, &error);
//   DetectionTable table = BuildDetectionTable(*corpus, presets, findings, context);
//   std::cout << FormatDetectionMarkdown(table);
//
// Thread-safety: pure functions over values.
// Failure: a malformed corpus or document gives nullopt and a message naming the line;
// what a run got wrong (a failed test, a bug split over several rows, a finding in a
// clean case) is listed in DetectionTable::problems.
#ifndef MEMSAFE_TOOLS_DETECTION_TABLE_H_
#define MEMSAFE_TOOLS_DETECTION_TABLE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/ctest_results.h"
#include "report/report.h"

namespace memsafe::tools {

struct CorpusCase {
  std::string name;       // "heap-overflow-read"; its test is "detection.<name>"
  std::string bug_class;  // "heap out of bounds"; "clean" for a look-alike
  std::string seen_by;    // the tools that see it, as the corpus says ("address valgrind")
  bool clean = false;     // no bug: every preset must run it clean
};

// Lines "case | sources | GoogleTest case | class | kind | seen by | runs unseen";
// '#' starts a comment line.
std::optional<std::vector<CorpusCase>> ParseCorpus(std::string_view text, std::string* error);

struct PresetResults {
  std::string preset;  // "asan", the build directory's name
  std::vector<TestResult> results;
};

enum class DetectionCell {
  kCaughtBug,    // a tool of the preset reported the kind at the marked line
  kNotSeen,      // no tool of the preset sees it; the program ran clean
  kRanClean,     // a clean case ran clean
  kSkippedHere,  // not registered there: it would crash or abort with no tool to see it
  kTestFailed,   // the test failed: a missed bug, a wrong line, or a false positive
};

std::string_view DetectionCellText(DetectionCell cell);

struct DetectionRow {
  CorpusCase corpus_case;
  std::vector<DetectionCell> cells;  // one per DetectionTable::presets
  int report_rows = 0;               // distinct findings of its tests across all presets
};

struct DetectionTable {
  std::vector<std::string> presets;
  std::vector<DetectionRow> rows;
  std::vector<std::string> problems;
};

// `findings` are those of the presets' logs, canaries' expected findings included.
DetectionTable BuildDetectionTable(const std::vector<CorpusCase>& corpus, const std::vector<PresetResults>& presets,
                                   const std::vector<Finding>& findings, const ReportContext& context);

// A Markdown table, one row per case, and a line counting what was caught.
std::string FormatDetectionMarkdown(const DetectionTable& table);

// The section of a document between the detection-table markers:
//   <!-- memsafe detection-table: begin --> ... <!-- memsafe detection-table: end -->
inline constexpr std::string_view kDetectionBegin = "<!-- memsafe detection-table: begin -->";
inline constexpr std::string_view kDetectionEnd = "<!-- memsafe detection-table: end -->";

// The document with its section replaced by `markdown`; nullopt when the markers are
// missing or out of order.
std::optional<std::string> ReplaceDetectionSection(std::string_view document, const std::string& markdown,
                                                   std::string* error);

// Where the committed table disagrees with a run: for every preset of the run that the
// committed table has a column for, each case whose cell differs. A preset of the run
// that the committed table lacks is a difference too.
std::optional<std::vector<std::string>> CompareDetectionSection(std::string_view document, const DetectionTable& table,
                                                                std::string* error);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_DETECTION_TABLE_H_
