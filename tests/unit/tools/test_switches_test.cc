#include "test_switches.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tool_test_support.h"

namespace memsafe::tools {
namespace {

TEST(TestSwitchesTest, NamesThatTurnTestsOnAndNamesThatDoNot) {
  for (const char* on : {"FOO_BUILD_TESTS", "BUILD_TESTS", "ENABLE_TESTING", "WITH_TESTS", "foo_tests", "TESTS",
                         "BAR_TEST", "FOO_UNIT_TESTS", "LIBX_UNITTESTS", "FOO_BUILD_TESTS_EXTRA"}) {
    EXPECT_TRUE(IsTestSwitchName(on)) << on;
  }
  for (const char* off :
       {"BUILD_TESTING", "FOO_TESTS_USE_SYSTEM_GTEST", "FOO_TEST_COVERAGE", "FOO_INSTALL_TESTS", "LATEST_VERSION",
        "CONTESTS", "FOO_TESTDATA_DIR", "FOO_FUZZ_TESTS", "FOO_BENCHMARKS", "FOO_ENABLE_SANITIZERS_IN_TESTS"}) {
    EXPECT_FALSE(IsTestSwitchName(off)) << off;
  }
}

TEST(TestSwitchesTest, OptionsDependentOptionsAndCachedBoolsAreFound) {
  const std::vector<TestSwitch> found = TestSwitchesIn(
      "cmake_minimum_required(VERSION 3.16)\n"
      "project(foo C)\n"
      "option(FOO_BUILD_TESTS \"Build the tests\" OFF)\n"
      "  OPTION( BAR_TESTS\n    \"Bar's tests (a ) in a string)\" ${PROJECT_IS_TOP_LEVEL})\n"
      "cmake_dependent_option(BAZ_TESTS \"baz\" ON \"FOO_BUILD_TESTS\" OFF)\n"
      "set(QUX_TESTS OFF CACHE BOOL \"qux\")\n"
      "set(NOT_A_SWITCH_TESTS \"a/b\")\n"
      "# option(COMMENTED_TESTS \"no\" OFF)\n"
      "option(FOO_SHARED \"shared\" ON)\n",
      "CMakeLists.txt");
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0].name, "FOO_BUILD_TESTS");
  EXPECT_EQ(found[0].default_value, "OFF");
  EXPECT_EQ(found[0].where, "CMakeLists.txt:3");
  EXPECT_EQ(found[1].name, "BAR_TESTS");
  EXPECT_EQ(found[1].default_value, "${PROJECT_IS_TOP_LEVEL}");
  EXPECT_EQ(found[1].where, "CMakeLists.txt:4");
  EXPECT_EQ(found[2].name, "BAZ_TESTS");
  EXPECT_EQ(found[3].name, "QUX_TESTS");
  EXPECT_EQ(found[3].default_value, "OFF");
}

TEST(TestSwitchesTest, EveryFileOnceEachNameOnce) {
  testing::ScratchDir dir;
  const std::string top = dir.Write("CMakeLists.txt", "option(FOO_BUILD_TESTS \"t\" OFF)\n");
  const std::string sub =
      dir.Write("cmake/Options.cmake", "option(FOO_BUILD_TESTS \"t\" OFF)\noption(FOO_TESTS \"u\")\n");
  const std::vector<TestSwitch> found = FindTestSwitches({top, sub, dir.Write("missing/../x.cmake", "")}, dir.path());
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].where, "CMakeLists.txt:1");
  EXPECT_EQ(found[1].name, "FOO_TESTS");
  EXPECT_EQ(found[1].where, "cmake/Options.cmake:2");
  EXPECT_EQ(found[1].default_value, "");
}

}  // namespace
}  // namespace memsafe::tools
