#include "common/process.h"

#include <csignal>
#include <string>

#include <gtest/gtest.h>

namespace memsafe::tools {
namespace {

TEST(ProcessTest, CapturesOutputAndExitStatus) {
  ProcessOptions options;
  options.capture_stdout = true;
  const ProcessResult result = RunProcess({"sh", "-c", "printf 'one\\ntwo\\n'; exit 3"}, options);
  ASSERT_TRUE(result.started) << result.error;
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.output, "one\ntwo\n");
}

// Captured stdout with discarded output: the child's stderr goes nowhere, its stdout to
// the result (memsafe history asks git this way, whose errors it words itself).
TEST(ProcessTest, DiscardingOutputKeepsTheCapturedStdout) {
  ProcessOptions options;
  options.capture_stdout = true;
  options.discard_output = true;
  const ProcessResult result = RunProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, options);
  ASSERT_TRUE(result.started) << result.error;
  EXPECT_EQ(result.output, "out\n");
  EXPECT_EQ(result.exit_code, 3);
}

TEST(ProcessTest, ArgumentsReachTheProgramWithoutAShell) {
  ProcessOptions options;
  options.capture_stdout = true;
  const ProcessResult result = RunProcess({"printf", "%s|", "a b", "$HOME", "'q'"}, options);
  ASSERT_TRUE(result.started) << result.error;
  EXPECT_EQ(result.output, "a b|$HOME|'q'|");
}

TEST(ProcessTest, EnvironmentAndWorkingDirectoryApplyToTheChildOnly) {
  ProcessOptions options;
  options.capture_stdout = true;
  options.working_directory = "/";
  options.environment["MEMSAFE_PROCESS_TEST"] = "set";
  options.environment["HOME"] = std::nullopt;
  const ProcessResult result = RunProcess({"sh", "-c", "echo \"$PWD ${MEMSAFE_PROCESS_TEST} ${HOME-unset}\""}, options);
  EXPECT_EQ(result.output, "/ set unset\n");
  EXPECT_EQ(std::getenv("MEMSAFE_PROCESS_TEST"), nullptr);
}

TEST(ProcessTest, SignalsAndMissingProgramsAreTold) {
  const ProcessResult killed = RunProcess({"sh", "-c", "kill -KILL $$"});
  ASSERT_TRUE(killed.started);
  EXPECT_EQ(killed.signal, SIGKILL);
  EXPECT_EQ(killed.exit_code, 128 + SIGKILL);
  const ProcessResult missing = RunProcess({"memsafe-no-such-program"});
  EXPECT_FALSE(missing.started);
  EXPECT_NE(missing.error.find("memsafe-no-such-program"), std::string::npos);
  EXPECT_FALSE(RunProcess({}).started);
  EXPECT_TRUE(ProgramExists("sh"));
  EXPECT_TRUE(ProgramExists("/bin/sh"));
  EXPECT_FALSE(ProgramExists("memsafe-no-such-program"));
  EXPECT_FALSE(ProgramExists("/etc"));
  EXPECT_FALSE(ProgramExists(""));
}

}  // namespace
}  // namespace memsafe::tools
