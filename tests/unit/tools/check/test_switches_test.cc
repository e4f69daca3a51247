#include "check/test_switches.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/tool_test_support.h"

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

// The switch sets of real projects from Debian's sources, as their CMake files declare them.
TEST(TestSwitchesTest, MainSwitchesAreSetVariantsLeftAndNegativeOnesTurnedOff) {
  const auto choose = [](std::vector<std::string> names, std::string_view project) {
    std::vector<TestSwitch> found;
    for (std::string& name : names) found.push_back({std::move(name), "OFF", "CMakeLists.txt:1"});
    const SwitchChoice choice = ChooseTestSwitches(found, project);
    std::string text;
    for (const auto& [found_switch, value] : choice.set) text += found_switch.name + "=" + value + " ";
    for (const TestSwitch& left : choice.left) text += "(" + left.name + ") ";
    return text;
  };
  EXPECT_EQ(choose({"FMT_TEST", "FMT_CUDA_TEST"}, "FMT"), "FMT_TEST=ON (FMT_CUDA_TEST) ");
  EXPECT_EQ(choose({"SPDLOG_BUILD_TESTS", "SPDLOG_BUILD_TESTS_HO"}, "spdlog"),
            "SPDLOG_BUILD_TESTS=ON (SPDLOG_BUILD_TESTS_HO) ");
  EXPECT_EQ(choose({"JANSSON_WITHOUT_TESTS"}, "jansson"), "JANSSON_WITHOUT_TESTS=OFF ");
  EXPECT_EQ(choose({"ENABLE_CJSON_TEST"}, "cJSON"), "ENABLE_CJSON_TEST=ON ");
  EXPECT_EQ(choose({"YAML_CPP_BUILD_TESTS"}, "YAML_CPP"), "YAML_CPP_BUILD_TESTS=ON ");
  EXPECT_EQ(choose({"UNIT_TESTING"}, "cmocka"), "UNIT_TESTING=ON ");
  EXPECT_EQ(choose({"BUILD_NC_TESTS", "BUILD_CONFIG_TESTS"}, "gflags"), "(BUILD_NC_TESTS) (BUILD_CONFIG_TESTS) ");
  EXPECT_EQ(choose({"BAR_TESTS"}, "libbar"), "BAR_TESTS=ON ");
  EXPECT_EQ(choose({"DISABLE_TESTS", "NO_TESTS"}, ""), "DISABLE_TESTS=OFF NO_TESTS=OFF ");
}

TEST(TestSwitchesTest, ProjectNameIsTheFirstArgumentOfProject) {
  EXPECT_EQ(ProjectName("cmake_minimum_required(VERSION 3.5)\n  PROJECT (yaml-cpp VERSION 0.7)\n"), "yaml-cpp");
  EXPECT_EQ(ProjectName("# project(nope)\nproject(\"cJSON\" VERSION 1 LANGUAGES C)\n"), "cJSON");
  EXPECT_EQ(ProjectName("add_library(x x.c)\n"), "");
}

}  // namespace
}  // namespace memsafe::tools
