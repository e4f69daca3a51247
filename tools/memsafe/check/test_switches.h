// The switches a CMake project puts its tests behind: `option(FOO_BUILD_TESTS ...)`,
// `cmake_dependent_option(...)`, `set(FOO_TESTS OFF CACHE BOOL ...)`. memsafe's presets
// set BUILD_TESTING; a project whose tests need its own switch as well would otherwise
// build none of them, and a memory run of canaries alone proves nothing about it.
// `memsafe init` writes the switches it finds ON in the memory presets; `memsafe check`
// names them when a memory preset ran no test of the project.
//
// Example:
//   for (const TestSwitch& s : FindTestSwitches(ProjectCMakeFiles("."))) std::cout << s.name;
//
// Thread-safety: pure functions (FindTestSwitches reads the files it is given).
// Failure: an unreadable file is skipped; a switch memsafe cannot recognise is named by
// the user (`memsafe init --set NAME=ON`).
#ifndef MEMSAFE_TOOLS_TEST_SWITCHES_H_
#define MEMSAFE_TOOLS_TEST_SWITCHES_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memsafe::tools {

struct TestSwitch {
  std::string name;           // FOO_BUILD_TESTS
  std::string default_value;  // as written ("OFF", "${PROJECT_IS_TOP_LEVEL}"); "" when none
  std::string where;          // "CMakeLists.txt:12"
};

// Whether a cache variable's name says it turns a project's tests on (FOO_BUILD_TESTS,
// ENABLE_TESTING, WITH_TESTS, BAR_TEST); not BUILD_TESTING itself, which the presets set,
// and not a switch about how tests are built (FOO_TESTS_USE_SYSTEM_GTEST, FOO_TEST_COVERAGE).
bool IsTestSwitchName(std::string_view name);

// The switches declared in one CMake file's text; `file` names it in TestSwitch::where.
std::vector<TestSwitch> TestSwitchesIn(std::string_view text, const std::string& file);

// The switches of every file given (ProjectCMakeFiles), each name once, in file order;
// `root` is stripped from the file names.
std::vector<TestSwitch> FindTestSwitches(const std::vector<std::string>& files, const std::string& root);

// The name the top CMakeLists.txt gives its project (`project(yaml-cpp ...)`), "" when
// none is found.
std::string ProjectName(std::string_view top_cmakelists);

// Which switches init sets, and to what. A switch is the project's main test switch
// when its name, less the project's name (and a "LIB" before it) and the verbs BUILD,
// ENABLE, WITH, is TEST, TESTS, TESTING, UNIT_TESTS or UNIT_TESTING:
// PUGIXML_BUILD_TESTS, ENABLE_CJSON_TEST, UNIT_TESTING. Said the other way round
// (WITHOUT, DISABLE, NO, SKIP: JANSSON_WITHOUT_TESTS) it is set OFF, else ON. The
// others are variants, left as the project has them, since turning one on may need
// what the machine lacks (FMT_CUDA_TEST, gflags' BUILD_NC_TESTS, SPDLOG_BUILD_TESTS_HO):
// `memsafe init --set NAME=ON` sets one.
struct SwitchChoice {
  std::vector<std::pair<TestSwitch, std::string>> set;  // the switch and its value
  std::vector<TestSwitch> left;
};
SwitchChoice ChooseTestSwitches(const std::vector<TestSwitch>& found, std::string_view project_name);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_TEST_SWITCHES_H_
