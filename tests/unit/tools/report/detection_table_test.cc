#include "report/detection_table.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace memsafe::tools {
namespace {

constexpr const char* kCorpus =
    "# case | sources | gtest | class | kind | seen by | runs unseen\n"
    "uaf   | uaf.c   | - | use after free | heap-use-after-free | address valgrind | yes\n"
    "npd   | npd.c   | - | null pointer   | null-pointer-use    | undefined        | no\n"
    "clean | clean.c | - | clean          | -                   | -                | yes\n";

TestResult Result(const std::string& name, TestOutcome outcome, bool expects) {
  TestResult result;
  result.name = name;
  result.outcome = outcome;
  // As CTest writes it in Test.xml: every argument quoted.
  result.command = "\"bash\" \"memsafe-run.sh\" \"--name\" \"" + name +
                   (expects ? "\" \"--expect\" \"^x\" \"" : "\" \"") + "/b/" + name + "\"";
  return result;
}

Finding FindingAt(const std::string& test, const std::string& kind, const std::string& file, int line) {
  Finding finding;
  finding.test = test;
  finding.kind = kind;
  finding.stacks = {{"", {{"main", "/p/" + file, line, 1, ""}}}};
  return finding;
}

ReportContext Context() {
  ReportContext context;
  context.root = "/p/";
  return context;
}

TEST(DetectionTableTest, ParsesTheCorpusAndRefusesMalformedLines) {
  std::string error;
  const std::optional<std::vector<CorpusCase>> corpus = ParseCorpus(kCorpus, &error);
  ASSERT_TRUE(corpus) << error;
  ASSERT_EQ(corpus->size(), 3u);
  EXPECT_EQ((*corpus)[0].name, "uaf");
  EXPECT_EQ((*corpus)[0].bug_class, "use after free");
  EXPECT_EQ((*corpus)[0].seen_by, "address valgrind");
  EXPECT_FALSE((*corpus)[0].clean);
  EXPECT_TRUE((*corpus)[2].clean);

  EXPECT_FALSE(ParseCorpus("a | b | - | c | k | address\n", &error));
  EXPECT_NE(error.find("line 1: 7 fields"), std::string::npos) << error;
  EXPECT_FALSE(ParseCorpus("a | a.c | - | c | k | address | maybe\n", &error));
  EXPECT_NE(error.find("yes or no"), std::string::npos) << error;
  EXPECT_FALSE(ParseCorpus("a | a.c | - | c | k | address | yes\na | b.c | - | c | k | address | yes\n", &error));
  EXPECT_NE(error.find("line 2: empty or repeated case name 'a'"), std::string::npos) << error;
  EXPECT_FALSE(ParseCorpus("a | a.c | - | clean | - | address | yes\n", &error));
  EXPECT_FALSE(ParseCorpus("# only a comment\n", &error));
}

TEST(DetectionTableTest, CellsComeFromEachPresetsResults) {
  std::string error;
  const std::vector<CorpusCase> corpus = *ParseCorpus(kCorpus, &error);
  PresetResults asan{
      "asan",
      {Result("detection.uaf", TestOutcome::kPassed, true), Result("detection.npd", TestOutcome::kPassed, true),
       Result("detection.clean", TestOutcome::kPassed, false)}};
  // Under TSan nothing sees the use after free (it ran clean), the null dereference
  // would crash (not registered), and the clean case failed: a false positive.
  PresetResults tsan{
      "tsan",
      {Result("detection.uaf", TestOutcome::kPassed, false), Result("detection.clean", TestOutcome::kFailed, false)}};
  const std::vector<Finding> findings = {FindingAt("detection.uaf", "heap-use-after-free", "uaf.c", 9),
                                         FindingAt("detection.npd", "null-pointer-use", "npd.c", 4),
                                         FindingAt("detection.clean", "data-race", "clean.c", 3)};
  const DetectionTable table = BuildDetectionTable(corpus, {asan, tsan}, findings, Context());
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0].cells, (std::vector<DetectionCell>{DetectionCell::kCaughtBug, DetectionCell::kNotSeen}));
  EXPECT_EQ(table.rows[1].cells, (std::vector<DetectionCell>{DetectionCell::kCaughtBug, DetectionCell::kSkippedHere}));
  EXPECT_EQ(table.rows[2].cells, (std::vector<DetectionCell>{DetectionCell::kRanClean, DetectionCell::kTestFailed}));
  EXPECT_EQ(table.rows[0].report_rows, 1);
  EXPECT_EQ(table.problems, (std::vector<std::string>{"tsan: detection.clean failed (failed)",
                                                      "clean: a clean case has 1 finding(s)"}));
}

TEST(DetectionTableTest, OneBugInTwoReportRowsIsAProblem) {
  std::string error;
  const std::vector<CorpusCase> corpus = *ParseCorpus(kCorpus, &error);
  PresetResults asan{"asan", {Result("detection.uaf", TestOutcome::kPassed, true)}};
  PresetResults valgrind{"valgrind", {Result("detection.uaf", TestOutcome::kPassed, true)}};
  // The same kind at the same line from both tools is one row; another line is another.
  std::vector<Finding> findings = {FindingAt("detection.uaf", "heap-use-after-free", "uaf.c", 9),
                                   FindingAt("detection.uaf", "heap-use-after-free", "uaf.c", 9)};
  EXPECT_EQ(BuildDetectionTable(corpus, {asan, valgrind}, findings, Context()).rows[0].report_rows, 1);
  findings.push_back(FindingAt("detection.uaf", "heap-use-after-free", "uaf.c", 10));
  const DetectionTable split = BuildDetectionTable(corpus, {asan, valgrind}, findings, Context());
  EXPECT_EQ(split.rows[0].report_rows, 2);
  ASSERT_FALSE(split.problems.empty());
  EXPECT_EQ(split.problems[0], "uaf: one bug is 2 rows of memsafe report across the presets");
}

TEST(DetectionTableTest, ARunWithoutDetectionTestsIsAProblem) {
  std::string error;
  const std::vector<CorpusCase> corpus = *ParseCorpus(kCorpus, &error);
  PresetResults quick{"asan", {Result("unit.SomeTest", TestOutcome::kPassed, false)}};
  const DetectionTable table = BuildDetectionTable(corpus, {quick}, {}, Context());
  ASSERT_FALSE(table.problems.empty());
  EXPECT_EQ(table.problems.back(), "asan: no detection test ran (a run without --slow?)");
}

TEST(DetectionTableTest, DocumentSectionIsWrittenAndComparedPerPreset) {
  std::string error;
  const std::vector<CorpusCase> corpus = *ParseCorpus(kCorpus, &error);
  PresetResults asan{
      "asan",
      {Result("detection.uaf", TestOutcome::kPassed, true), Result("detection.clean", TestOutcome::kPassed, false)}};
  PresetResults tsan{
      "tsan",
      {Result("detection.uaf", TestOutcome::kPassed, false), Result("detection.clean", TestOutcome::kPassed, false)}};
  const std::vector<Finding> findings = {FindingAt("detection.uaf", "heap-use-after-free", "uaf.c", 9)};
  const DetectionTable both = BuildDetectionTable(corpus, {asan, tsan}, findings, Context());
  const std::string markdown = FormatDetectionMarkdown(both);
  EXPECT_NE(markdown.find("| case | class | asan | tsan | report rows |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| uaf | use after free | caught | not caught | 1 |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| npd | null pointer | not run | not run | 0 |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("1 of 2 planted bugs caught by at least one of 2 presets; 0 false positives on 1 clean"),
            std::string::npos)
      << markdown;

  const std::string document =
      "# Doc\n\nbefore\n" + std::string(kDetectionBegin) + "\nold\n" + std::string(kDetectionEnd) + "\nafter\n";
  const std::optional<std::string> updated = ReplaceDetectionSection(document, markdown, &error);
  ASSERT_TRUE(updated) << error;
  EXPECT_EQ(updated->find("old"), std::string::npos);
  EXPECT_NE(updated->find("before\n"), std::string::npos);
  EXPECT_NE(updated->find("after\n"), std::string::npos);

  // A run of one of the presets agrees with the table of both.
  const DetectionTable asan_only = BuildDetectionTable(corpus, {asan}, findings, Context());
  std::optional<std::vector<std::string>> differences = CompareDetectionSection(*updated, asan_only, &error);
  ASSERT_TRUE(differences) << error;
  EXPECT_TRUE(differences->empty());
  // A run that no longer catches the bug disagrees, and so does a preset without a column.
  PresetResults missed{
      "asan",
      {Result("detection.uaf", TestOutcome::kFailed, true), Result("detection.clean", TestOutcome::kPassed, false)}};
  PresetResults other{"valgrind", {Result("detection.uaf", TestOutcome::kPassed, true)}};
  differences =
      CompareDetectionSection(*updated, BuildDetectionTable(corpus, {missed, other}, findings, Context()), &error);
  ASSERT_TRUE(differences);
  EXPECT_EQ(*differences, (std::vector<std::string>{"uaf under asan: the table says 'caught', this run 'FAILED'",
                                                    "the committed table has no column for valgrind"}));

  EXPECT_FALSE(ReplaceDetectionSection("no markers", markdown, &error));
  EXPECT_FALSE(CompareDetectionSection(std::string(kDetectionEnd) + std::string(kDetectionBegin), both, &error));
}

}  // namespace
}  // namespace memsafe::tools
