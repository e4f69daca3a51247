#include "report/report_commands.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "common/text.h"
#include "report/detection_table.h"
#include "report/report_output.h"

namespace memsafe::tools {

namespace fs = std::filesystem;

int ReportCommand(const ReportOptions& options) {
  ReportSummary summary;
  const ReportContext context = ProjectReportContext(options.root, options.exclude, &summary.errors);
  const LogSet logs = CollectLogs(options.inputs, &summary.errors);
  summary.logs = static_cast<int>(logs.files.size());
  std::vector<Finding> findings;
  for (Finding& finding : ReadLogs(logs, context, &summary.errors)) {
    if (finding.expected && !options.include_canaries) {
      ++summary.canary_findings;
    } else if (finding.interpreters_own) {
      ++summary.interpreter_findings;
    } else {
      findings.push_back(std::move(finding));
    }
  }
  const std::vector<Group> groups = Deduplicate(findings);
  if (options.print) std::cout << FormatTable(groups, summary);
  if (options.print && options.annotations) std::cout << FormatAnnotations(groups);
  bool written = true;
  const ReportInput input{groups, summary, context};
  for (const ReportFormat& format : ReportFormats()) {
    const auto file = options.files.find(format.flag);
    if (file != options.files.end() && !file->second.empty()) written &= WriteText(file->second, format.write(input));
  }
  if (options.print) PrintErrors(summary.errors);
  if (!summary.errors.empty() || !written) return kUsage;
  return groups.empty() ? kClean : kFindings;
}

int DetectionTableCommand(const DetectionTableOptions& options) {
  std::string text, why, error;
  if (!ReadWholeFile(options.corpus, &text, &why)) {
    std::cerr << "memsafe detection-table: " << options.corpus << ": " << why << "\n";
    return kUsage;
  }
  const std::optional<std::vector<CorpusCase>> corpus = ParseCorpus(text, &error);
  if (!corpus) {
    std::cerr << "memsafe detection-table: " << options.corpus << ": " << error << "\n";
    return kUsage;
  }
  std::vector<InputError> errors;
  const ReportContext context = ProjectReportContext(options.root, {}, &errors);
  std::vector<PresetResults> presets;
  std::vector<std::string> memcheck_dirs;
  for (const std::string& dir : options.build_dirs) {
    PresetResults preset;
    preset.preset = fs::path(dir).lexically_normal().filename().string();
    if (preset.preset.empty()) preset.preset = fs::path(dir).lexically_normal().parent_path().filename().string();
    std::optional<std::vector<TestResult>> results = LatestCtestResults(dir, &error);
    if (!results) {
      std::cerr << "memsafe detection-table: " << error << "\n";
      return kUsage;
    }
    preset.results = std::move(*results);
    presets.push_back(std::move(preset));
    if (fs::is_directory(fs::path(dir) / "memcheck")) memcheck_dirs.push_back((fs::path(dir) / "memcheck").string());
  }
  std::vector<Finding> findings;
  if (!memcheck_dirs.empty()) findings = ReadLogs(CollectLogs(memcheck_dirs, &errors), context, &errors);
  PrintErrors(errors);
  if (!errors.empty()) return kUsage;
  const DetectionTable table = BuildDetectionTable(*corpus, presets, findings, context);
  const std::string markdown = FormatDetectionMarkdown(table);
  std::cout << markdown;
  int status = kClean;
  for (const std::string& problem : table.problems) {
    std::cout << "memsafe detection-table: " << problem << "\n";
    status = kFindings;
  }
  const std::string& document_path = options.update.empty() ? options.check : options.update;
  if (document_path.empty()) return status;
  std::string document;
  if (!ReadWholeFile(document_path, &document, &why)) {
    std::cerr << "memsafe detection-table: " << document_path << ": " << why << "\n";
    return kUsage;
  }
  if (!options.update.empty()) {
    const std::optional<std::string> updated = ReplaceDetectionSection(document, markdown, &error);
    if (!updated || !WriteText(options.update, *updated)) {
      std::cerr << "memsafe detection-table: " << options.update << ": " << (updated ? "cannot write" : error) << "\n";
      return kUsage;
    }
    std::cout << "memsafe detection-table: wrote the table to " << options.update << "\n";
    return status;
  }
  const std::optional<std::vector<std::string>> differences = CompareDetectionSection(document, table, &error);
  if (!differences) {
    std::cerr << "memsafe detection-table: " << options.check << ": " << error << "\n";
    return kUsage;
  }
  for (const std::string& difference : *differences) {
    std::cout << "memsafe detection-table: " << options.check << ": " << difference << "\n";
  }
  if (!differences->empty()) {
    std::cout << "memsafe detection-table: the table in " << options.check
              << " is not what this run measured; regenerate it with --update after a run of every preset\n";
    status = kFindings;
  } else {
    std::cout << "memsafe detection-table: " << options.check << " agrees with this run (" << presets.size()
              << " presets)\n";
  }
  return status;
}

}  // namespace memsafe::tools
