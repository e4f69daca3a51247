#include "report/detection_table.h"

#include <algorithm>
#include <set>

#include "common/text.h"

namespace memsafe::tools {
namespace {

constexpr std::string_view kTestPrefix = "detection.";

std::vector<std::string> SplitFields(std::string_view line, char separator) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t end = line.find(separator, start);
    fields.emplace_back(Trim(line.substr(start, end == std::string_view::npos ? end : end - start)));
    if (end == std::string_view::npos) return fields;
    start = end + 1;
  }
}

DetectionCell CellFor(const CorpusCase& corpus_case, const TestResult* result) {
  if (result == nullptr) return DetectionCell::kSkippedHere;
  if (result->outcome != TestOutcome::kPassed) return DetectionCell::kTestFailed;
  if (corpus_case.clean) return DetectionCell::kRanClean;
  // The test of a preset that sees the bug passes only through its --expect pattern.
  // CTest records the command with each argument quoted; a hand-written one may not be.
  const bool expects = result->command.find("\"--expect\"") != std::string::npos ||
                       result->command.find(" --expect ") != std::string::npos;
  return expects ? DetectionCell::kCaughtBug : DetectionCell::kNotSeen;
}

// The section between the markers, or nullopt.
std::optional<std::pair<size_t, size_t>> FindSection(std::string_view document, std::string* error) {
  const size_t begin = document.find(kDetectionBegin);
  const size_t end = document.find(kDetectionEnd);
  if (begin == std::string_view::npos || end == std::string_view::npos || end < begin) {
    *error = "no section between '" + std::string(kDetectionBegin) + "' and '" + std::string(kDetectionEnd) + "'";
    return std::nullopt;
  }
  return std::make_pair(begin + kDetectionBegin.size(), end);
}

}  // namespace

std::optional<std::vector<CorpusCase>> ParseCorpus(std::string_view text, std::string* error) {
  std::vector<CorpusCase> corpus;
  std::set<std::string> names;
  int number = 0;
  for (std::string_view line : SplitLines(text)) {
    ++number;
    const std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    const std::vector<std::string> fields = SplitFields(trimmed, '|');
    if (fields.size() != 7) {
      *error = "line " + std::to_string(number) + ": 7 fields separated by '|' expected, found " +
               std::to_string(fields.size());
      return std::nullopt;
    }
    CorpusCase corpus_case;
    corpus_case.name = fields[0];
    corpus_case.bug_class = fields[3];
    corpus_case.clean = fields[4] == "-";
    corpus_case.seen_by = fields[5] == "-" ? "" : fields[5];
    if (corpus_case.name.empty() || !names.insert(corpus_case.name).second) {
      *error = "line " + std::to_string(number) + ": empty or repeated case name '" + corpus_case.name + "'";
      return std::nullopt;
    }
    if (fields[6] != "yes" && fields[6] != "no") {
      *error = "line " + std::to_string(number) + ": the last field is yes or no, not '" + fields[6] + "'";
      return std::nullopt;
    }
    if (corpus_case.clean && !corpus_case.seen_by.empty()) {
      *error = "line " + std::to_string(number) + ": a clean case has no tool that sees it";
      return std::nullopt;
    }
    corpus.push_back(std::move(corpus_case));
  }
  if (corpus.empty()) {
    *error = "no cases";
    return std::nullopt;
  }
  return corpus;
}

std::string_view DetectionCellText(DetectionCell cell) {
  switch (cell) {
    case DetectionCell::kCaughtBug:
      return "caught";
    case DetectionCell::kNotSeen:
      return "not caught";
    case DetectionCell::kRanClean:
      return "clean";
    case DetectionCell::kSkippedHere:
      return "not run";
    case DetectionCell::kTestFailed:
      return "FAILED";
  }
  return "?";
}

DetectionTable BuildDetectionTable(const std::vector<CorpusCase>& corpus, const std::vector<PresetResults>& presets,
                                   const std::vector<Finding>& findings, const ReportContext& context) {
  DetectionTable table;
  std::vector<std::map<std::string, const TestResult*>> by_name(presets.size());
  for (size_t p = 0; p < presets.size(); ++p) {
    table.presets.push_back(presets[p].preset);
    for (const TestResult& result : presets[p].results) by_name[p][result.name] = &result;
  }
  // The distinct bugs the logs of each case's tests hold, over every preset.
  std::map<std::string, std::set<std::string>> signatures;
  for (const Finding& finding : findings) {
    if (finding.test.rfind(kTestPrefix, 0) != 0) continue;
    signatures[finding.test.substr(kTestPrefix.size())].insert(Signature(finding, context));
  }
  for (const CorpusCase& corpus_case : corpus) {
    DetectionRow row;
    row.corpus_case = corpus_case;
    const std::string test = std::string(kTestPrefix) + corpus_case.name;
    bool caught_somewhere = false;
    for (size_t p = 0; p < presets.size(); ++p) {
      const auto it = by_name[p].find(test);
      const DetectionCell cell = CellFor(corpus_case, it == by_name[p].end() ? nullptr : it->second);
      row.cells.push_back(cell);
      caught_somewhere = caught_somewhere || cell == DetectionCell::kCaughtBug;
      if (cell == DetectionCell::kTestFailed) {
        table.problems.push_back(presets[p].preset + ": " + test + " failed (" +
                                 std::string(OutcomeName(it->second->outcome)) + ")");
      }
    }
    row.report_rows = static_cast<int>(signatures[corpus_case.name].size());
    if (corpus_case.clean && row.report_rows > 0) {
      table.problems.push_back(corpus_case.name + ": a clean case has " + std::to_string(row.report_rows) +
                               " finding(s)");
    } else if (caught_somewhere && row.report_rows != 1) {
      table.problems.push_back(corpus_case.name + ": one bug is " + std::to_string(row.report_rows) +
                               " rows of memsafe report across the presets");
    }
    table.rows.push_back(std::move(row));
  }
  for (const PresetResults& preset : presets) {
    const bool ran_any = std::any_of(preset.results.begin(), preset.results.end(),
                                     [](const TestResult& r) { return r.name.rfind(kTestPrefix, 0) == 0; });
    if (!ran_any) table.problems.push_back(preset.preset + ": no detection test ran (a run without --slow?)");
  }
  return table;
}

std::string FormatDetectionMarkdown(const DetectionTable& table) {
  std::string out = "| case | class |";
  std::string rule = "| --- | --- |";
  for (const std::string& preset : table.presets) {
    out += " " + preset + " |";
    rule += " --- |";
  }
  out += " report rows |\n" + rule + " --- |\n";
  int bugs = 0, caught = 0, clean = 0, false_positives = 0;
  for (const DetectionRow& row : table.rows) {
    out += "| " + row.corpus_case.name + " | " + row.corpus_case.bug_class + " |";
    bool any = false;
    for (DetectionCell cell : row.cells) {
      out += " " + std::string(DetectionCellText(cell)) + " |";
      any = any || cell == DetectionCell::kCaughtBug;
      if (row.corpus_case.clean && cell == DetectionCell::kTestFailed) ++false_positives;
    }
    out += " " + std::to_string(row.report_rows) + " |\n";
    if (row.corpus_case.clean) {
      ++clean;
    } else {
      ++bugs;
      caught += any ? 1 : 0;
    }
  }
  out += "\n" + std::to_string(caught) + " of " + std::to_string(bugs) + " planted bugs caught by at least one of " +
         std::to_string(table.presets.size()) + " presets; " + std::to_string(false_positives) +
         " false positives on " + std::to_string(clean) + " clean look-alikes.\n";
  return out;
}

std::optional<std::string> ReplaceDetectionSection(std::string_view document, const std::string& markdown,
                                                   std::string* error) {
  const std::optional<std::pair<size_t, size_t>> section = FindSection(document, error);
  if (!section) return std::nullopt;
  return std::string(document.substr(0, section->first)) + "\n" + markdown +
         std::string(document.substr(section->second));
}

std::optional<std::vector<std::string>> CompareDetectionSection(std::string_view document, const DetectionTable& table,
                                                                std::string* error) {
  const std::optional<std::pair<size_t, size_t>> section = FindSection(document, error);
  if (!section) return std::nullopt;
  // The committed cells: the header row names the columns, each other row a case.
  std::vector<std::string> columns;
  std::map<std::string, std::map<std::string, std::string>> committed;
  for (std::string_view line : SplitLines(document.substr(section->first, section->second - section->first))) {
    line = Trim(line);
    if (line.size() < 2 || line.front() != '|' || line.back() != '|') continue;
    std::vector<std::string> fields = SplitFields(line.substr(1, line.size() - 2), '|');
    if (columns.empty()) {
      columns = fields;
      continue;
    }
    if (!fields.empty() && fields[0] == "---") continue;
    for (size_t i = 1; i < fields.size() && i < columns.size(); ++i) committed[fields[0]][columns[i]] = fields[i];
  }
  if (columns.empty()) {
    *error = "the detection-table section holds no table";
    return std::nullopt;
  }
  std::vector<std::string> differences;
  for (size_t p = 0; p < table.presets.size(); ++p) {
    const std::string& preset = table.presets[p];
    if (std::find(columns.begin(), columns.end(), preset) == columns.end()) {
      differences.push_back("the committed table has no column for " + preset);
      continue;
    }
    for (const DetectionRow& row : table.rows) {
      const auto found = committed.find(row.corpus_case.name);
      const std::string now(DetectionCellText(row.cells[p]));
      const std::string before = found == committed.end() ? "(no row)" : found->second[preset];
      if (before != now)
        differences.push_back(row.corpus_case.name + " under " + preset + ": the table says '" + before +
                              "', this run '" + now + "'");
    }
  }
  return differences;
}

}  // namespace memsafe::tools
