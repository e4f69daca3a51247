#include "common/ci_output.h"

#include <stdlib.h>

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

using testing::ScopedEnv;
using testing::ScratchDir;

// What `body` prints on std::cout.
template <typename Body>
std::string Printed(Body body) {
  std::ostringstream captured;
  std::streambuf* const old = std::cout.rdbuf(captured.rdbuf());
  body();
  std::cout.rdbuf(old);
  return captured.str();
}

TEST(CiOutputTest, ProblemsAreWorkflowCommandsOnlyInActions) {
  {
    ScopedEnv actions("GITHUB_ACTIONS", "true");
    EXPECT_TRUE(InActions());
    // A newline in a message must not end the command and start another.
    EXPECT_EQ(ProblemLine("error", "FAIL: ", "a\n::warning::b 100%\r"), "::error::a%0A::warning::b 100%25%0D");
  }
  for (const char* value : {static_cast<const char*>(nullptr), "false", "1", ""}) {
    ScopedEnv actions("GITHUB_ACTIONS", value);
    EXPECT_FALSE(InActions()) << (value ? value : "(unset)");
    EXPECT_EQ(ProblemLine("error", "FAIL: ", "a\nb"), "FAIL: a\nb");
  }
}

TEST(CiOutputTest, GroupsFoldInActionsAndAreHeadersElsewhere) {
  {
    ScopedEnv actions("GITHUB_ACTIONS", "true");
    EXPECT_EQ(Printed([] {
                GroupStart("asan: build\n::error::x");
                GroupEnd();
              }),
              "::group::asan: build%0A::error::x\n::endgroup::\n");
  }
  ScopedEnv actions("GITHUB_ACTIONS", nullptr);
  EXPECT_EQ(Printed([] {
              GroupStart("asan: build");
              GroupEnd();
            }),
            "\n== asan: build\n");
}

TEST(CiOutputTest, StepSummaryIsAppendedWhenThereIsOne) {
  ScratchDir dir;
  const std::string path = (dir.path() / "summary.md").string();
  {
    ScopedEnv summary("GITHUB_STEP_SUMMARY", path.c_str());
    AppendStepSummary("| a |\n");
    AppendStepSummary("| b |\n");
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "| a |\n| b |\n");
  // No summary file, an empty name or one that cannot be written: nothing, and no failure.
  for (const std::string& where : {std::string(""), dir.path().string()}) {
    ScopedEnv summary("GITHUB_STEP_SUMMARY", where.c_str());
    AppendStepSummary("| c |\n");
  }
  ScopedEnv unset("GITHUB_STEP_SUMMARY", nullptr);
  AppendStepSummary("| d |\n");
}

}  // namespace
}  // namespace memsafe::tools
