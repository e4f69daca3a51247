#include "suppressions/suppression_usage.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report/report.h"
#include "suppressions/suppressions.h"

namespace memsafe::tools {
namespace {

const std::string kData = std::string(MEMSAFE_TEST_SOURCE_DIR) + "/tests/unit/tools/testdata/";

const char kMetadata[] =
    "# reason: a test entry\n# tracker: https://bugs.example.org/1\n# added: 2026-11-01\n# review-by: 2027-01-15\n";

TEST(SuppressionUsageTest, UnusedEntriesAreListedAndUnrunToolsNotJudged) {
  std::vector<ParsedFile> files = {
      ParseSuppressions("lsan.supp", std::string(kMetadata) + "leak:memsafe_canary_suppressed_leak\n" + kMetadata +
                                         "leak:no_such_function\n"),
      ParseSuppressions("tsan.supp", std::string(kMetadata) + "race:memsafe_canary_suppressed_race\n"),
      ParseSuppressions("ubsan_ignorelist.txt", "[alignment]\n" + std::string(kMetadata) + "src:*/third_party/*\n"),
  };
  for (const ParsedFile& file : files)
    ASSERT_TRUE(file.problems.empty()) << file.path << ": " << file.problems[0].message;
  std::vector<InputError> errors;
  const LogSet asan_only = CollectLogs({kData + "reports/asan"}, &errors);
  const UsageVerdicts verdicts = JudgeUsage(files, asan_only, &errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(verdicts.used.size(), 1u);
  EXPECT_EQ(verdicts.used[0].entry.text, "leak:memsafe_canary_suppressed_leak");
  ASSERT_EQ(verdicts.unused.size(), 1u);
  EXPECT_EQ(verdicts.unused[0].entry.text, "leak:no_such_function");
  EXPECT_EQ(verdicts.unused[0].entry.line, 10);
  // No TSan run among the logs: its entry cannot be judged; nor can the ignore list.
  ASSERT_EQ(verdicts.unjudged.size(), 2u);
  EXPECT_NE(verdicts.unjudged[0].why.find("no tsan run"), std::string::npos);
  EXPECT_NE(verdicts.unjudged[1].why.find("compile time"), std::string::npos);
}

}  // namespace
}  // namespace memsafe::tools
