#include "common/text.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/process.h"
#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

TEST(DatesTest, StrictCalendarDates) {
  EXPECT_EQ(ParseDate("1970-01-01"), 0);
  EXPECT_EQ(ParseDate("2024-02-29").has_value(), true);
  EXPECT_FALSE(ParseDate("2026-02-29"));
  EXPECT_FALSE(ParseDate("2026-13-01"));
  EXPECT_FALSE(ParseDate("2026-1-01"));
  EXPECT_FALSE(ParseDate("26-11-2026"));
  EXPECT_FALSE(ParseDate(""));
  EXPECT_EQ(FormatDate(*ParseDate("2027-02-20")), "2027-02-20");
}

TEST(TextTest, HashesAreFnv1aIn16HexDigits) {
  EXPECT_EQ(Hex64(Fnv1a("")), "cbf29ce484222325");   // the offset basis
  EXPECT_EQ(Hex64(Fnv1a("a")), "af63dc4c8601ec8c");  // FNV's published value
  EXPECT_EQ(Fnv1a("b", Fnv1a("a")), Fnv1a("ab")) << "continues from a given hash";
}

TEST(TextTest, LinesAndTrimming) {
  const std::vector<std::string_view> lines = SplitLines("a\r\nb\n\nc");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "a");
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[3], "c");
  EXPECT_TRUE(SplitLines("").empty());
  EXPECT_EQ(Trim(" \t x y \n"), "x y");
}

TEST(TextTest, ReadsRegularFilesOnly) {
  testing::ScratchDir dir;
  const std::string file = dir.Write("f.txt", std::string("a\0b", 3));
  std::string content, why;
  ASSERT_TRUE(ReadWholeFile(file, &content, &why)) << why;
  EXPECT_EQ(content, std::string("a\0b", 3));
  EXPECT_FALSE(ReadWholeFile(dir.path().string(), &content, &why));
  EXPECT_EQ(why, "is a directory, not a file");
  const std::string fifo = (dir.path() / "fifo").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(ReadWholeFile(fifo, &content, &why));  // returns at once: no writer is waited for
  EXPECT_EQ(why, "is not a regular file (a FIFO, socket or device)");
  EXPECT_FALSE(ReadWholeFile((dir.path() / "missing").string(), &content, &why));
  EXPECT_NE(why.find("cannot open"), std::string::npos) << why;
}

}  // namespace
}  // namespace memsafe::tools

// The words a shell reads back from ShellWords are the words given, whatever they hold.
TEST(TextTest, ShellWordsReadBackAsTheSameWords) {
  const std::vector<std::string> words = {
      "ctest", "--preset", "asan", "-E",          "^(a b|c'd)$",
      "",      "$HOME",    "x\ny", "back\\slash", "-DMEMSAFE_TOOL=/opt/m s/memsafe"};
  const std::string line = memsafe::tools::ShellWords(words);
  EXPECT_EQ(line.rfind("ctest --preset asan -E '", 0), 0u) << line;
  memsafe::tools::ProcessOptions options;
  options.capture_stdout = true;
  const memsafe::tools::ProcessResult result =
      memsafe::tools::RunProcess({"/bin/sh", "-c", "printf '%s\\0' " + line}, options);
  ASSERT_TRUE(result.started);
  ASSERT_EQ(result.exit_code, 0);
  std::string expected;
  for (const std::string& word : words) expected += word + '\0';
  EXPECT_EQ(result.output, expected);
}
