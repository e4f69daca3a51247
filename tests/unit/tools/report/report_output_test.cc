#include "report/report_output.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "report/report_commands.h"
#include "tools/report/captured_reports.h"
#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

using testing::kCapturedContext;
using testing::ReadCaptured;
using testing::ScratchDir;

// One line per row: a format small enough to write in a test.
std::string WriteLines(const ReportInput& input) {
  std::string out;
  for (const Group& group : input.groups) out += group.first.kind + " " + group.first.signature + "\n";
  return out;
}

// A new format is one registry row and its writer: memsafe report writes it when asked,
// and its flag, help and default file are there for the command line and memsafe check.
TEST(ReportOutputTest, ANewFormatIsOneRegistryRowAndItsWriter) {
  RegisterReportFormat({"lines", "Write one line per finding", "findings.lines", &WriteLines});
  const std::vector<ReportFormat>& formats = ReportFormats();
  ASSERT_FALSE(formats.empty());
  EXPECT_EQ(formats.back().flag, "lines");
  EXPECT_EQ(formats.back().default_file, "findings.lines");

  ScratchDir dir;
  ReportOptions options;
  options.inputs = {std::string(MEMSAFE_TEST_SOURCE_DIR) + "/tests/unit/tools/testdata/reports/asan"};
  options.root = dir.path().string();
  options.print = false;
  options.include_canaries = true;  // the captured logs are the canaries'
  options.files["lines"] = (dir.path() / "out.lines").string();
  EXPECT_EQ(ReportCommand(options), kFindings);
  std::ifstream in(options.files["lines"]);
  std::stringstream text;
  text << in.rdbuf();
  int rows = 0;
  for (std::string line; std::getline(text, line);) {
    ++rows;
    EXPECT_EQ(line.substr(line.size() - 17, 1), " ") << line;  // "<kind> <16 hex digits>"
  }
  EXPECT_GT(rows, 0);
  // The built-in formats are not written unless asked for.
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "findings.sarif"));
}

// The formats memsafe check writes into its report directory, with the files the
// workflows and docs name.
TEST(ReportOutputTest, TheBuiltInFormatsAndTheirFiles) {
  std::map<std::string, std::string> files;
  for (const ReportFormat& format : ReportFormats()) files[format.flag] = format.default_file;
  EXPECT_EQ(files["markdown"], "findings.md");
  EXPECT_EQ(files["junit"], "findings.junit.xml");
  EXPECT_EQ(files["sarif"], "findings.sarif");
  EXPECT_EQ(files["json"], "findings.json");
}

TEST(ReportOutputTest, SarifHasOneRulePerKindAndRepoRelativeLines) {
  const std::vector<Group>& groups = ReadCaptured().groups;
  const nlohmann::json sarif = nlohmann::json::parse(FormatSarif(groups, kCapturedContext));
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& run = sarif["runs"][0];
  const auto& rules = run["tool"]["driver"]["rules"];
  std::set<std::string> rule_ids;
  for (const auto& rule : rules) rule_ids.insert(rule["id"].get<std::string>());
  EXPECT_EQ(rule_ids.size(), rules.size());
  EXPECT_EQ(rule_ids.size(), 9u);  // memory-leak appears in two groups, one rule
  ASSERT_EQ(run["results"].size(), groups.size());
  for (const auto& result : run["results"]) {
    EXPECT_EQ(rules[result["ruleIndex"].get<int>()]["id"], result["ruleId"]);
    const auto& physical = result["locations"][0]["physicalLocation"];
    EXPECT_EQ(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    EXPECT_EQ(physical["artifactLocation"]["uri"].get<std::string>().rfind("tests/canaries/", 0), 0u);
    EXPECT_GT(physical["region"]["startLine"].get<int>(), 0);
    EXPECT_EQ(result["partialFingerprints"]["memsafeSignature/v1"].get<std::string>().size(), 16u);
  }
  EXPECT_EQ(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///work/main/");
}

TEST(ReportOutputTest, JunitHasOneFailingCasePerFinding) {
  const std::vector<Group>& groups = ReadCaptured().groups;
  pugi::xml_document document;
  const std::string junit = FormatJunit(groups);
  ASSERT_TRUE(document.load_string(junit.c_str()));
  const pugi::xml_node suite = document.child("testsuites").child("testsuite");
  EXPECT_EQ(suite.attribute("failures").as_int(), 10);
  int failures = 0;
  for (const pugi::xml_node& testcase : suite.children("testcase")) failures += testcase.child("failure") ? 1 : 0;
  EXPECT_EQ(failures, 10);
}

TEST(ReportOutputTest, TableMarkdownJsonAndAnnotations) {
  const std::vector<Group>& groups = ReadCaptured().groups;
  ReportSummary summary;
  summary.logs = 3;
  const std::string table = FormatTable(groups, summary);
  EXPECT_NE(table.find("heap-use-after-free      tests/canaries/heap_use_after_free.cc:10"), std::string::npos)
      << table;
  EXPECT_NE(FormatTable({}, summary).find("(no findings)"), std::string::npos);
  EXPECT_NE(FormatMarkdown({}, summary).find("No findings in 3 log files"), std::string::npos);
  const std::string markdown = FormatMarkdown(groups, summary);
  EXPECT_NE(markdown.find("| data-race | `tests/canaries/data_race.cc:9` |"), std::string::npos) << markdown;
  const nlohmann::json json = nlohmann::json::parse(FormatJson(groups, summary));
  EXPECT_EQ(json["findings"].size(), groups.size());
  const std::string annotations = FormatAnnotations(groups);
  EXPECT_NE(annotations.find("::error file=tests/canaries/data_race.cc,line=9,title=memsafe%3A data-race::"),
            std::string::npos)
      << annotations;
  // One line per finding: the stack's newlines are escaped.
  EXPECT_EQ(static_cast<size_t>(std::count(annotations.begin(), annotations.end(), '\n')), groups.size());
}

}  // namespace
}  // namespace memsafe::tools
