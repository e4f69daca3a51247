#include "report/report_output.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "report/report_commands.h"
#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

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

}  // namespace
}  // namespace memsafe::tools
