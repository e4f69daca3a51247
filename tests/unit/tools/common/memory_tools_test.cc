#include "common/memory_tools.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "suppressions/options_lint.h"
#include "suppressions/suppression_usage.h"

namespace memsafe::tools {
namespace {

std::string SourceFile(const std::string& relative) {
  std::ifstream in(std::string(MEMSAFE_TEST_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The names a source file of another language lists where `pattern`'s first group
// matches, split at `separator`; a failure when the file no longer has the list.
std::set<std::string> NamesListedIn(const std::string& file, const std::string& pattern, char separator) {
  const std::string text = SourceFile(file);
  std::smatch match;
  if (!std::regex_search(text, match, std::regex(pattern))) {
    ADD_FAILURE() << file << " no longer has the list /" << pattern << "/";
    return {};
  }
  std::set<std::string> names;
  std::stringstream list(match.str(1));
  for (std::string name; std::getline(list, name, separator);) {
    if (!name.empty()) names.insert(name);
  }
  return names;
}

// The launcher keeps its list of tools in shell: a tool added to one and not the other
// fails here, whichever was changed alone.
TEST(MemoryToolsTest, TheLaunchersToolsAreTheTablesLauncherTools) {
  const std::set<std::string> in_launcher =
      NamesListedIn("cmake/memsafe-run.sh", R"(\[\[ \$tool =~ \^\(none\|([a-z|]+)\)\$ \]\])", '|');
  ASSERT_FALSE(in_launcher.empty());
  std::set<std::string> in_table;
  for (const MemoryTool& tool : MemoryTools()) {
    if (tool.launcher_tool) in_table.insert(std::string(tool.name));
  }
  EXPECT_EQ(in_launcher, in_table);
  const std::vector<std::string> verdict_tools = LauncherToolNames();
  EXPECT_EQ(std::set<std::string>(verdict_tools.begin() + 1, verdict_tools.end()), in_table);
  EXPECT_EQ(verdict_tools.front(), "none");
}

// The CMake module reads options.txt with its own parser: the tools its line pattern
// names are the table's and valgrind-slow, so a tool added to one alone fails here.
TEST(MemoryToolsTest, TheModulesOptionsFileToolsAreTheTables) {
  const std::set<std::string> in_module =
      NamesListedIn("cmake/memsafe_settings.cmake", R"(set\(_memsafe_options_tools ([a-z -]+)\))", ' ');
  ASSERT_FALSE(in_module.empty());
  std::set<std::string> in_table = {"valgrind-slow"};
  for (const MemoryTool& tool : MemoryTools()) in_table.insert(std::string(tool.name));
  EXPECT_EQ(in_module, in_table);
}

// The options lint knows each sanitizer's own options: a sanitizer added to the table
// without its list would have every option of its own refused as unknown.
TEST(MemoryToolsTest, EverySanitizerHasItsOwnOptionList) {
  for (const MemoryTool& tool : MemoryTools()) {
    if (tool.options_variable.empty()) continue;
    const auto* own = SanitizerOwnOptions(tool.name);
    ASSERT_NE(own, nullptr) << tool.name;
    EXPECT_FALSE(own->empty()) << tool.name;
  }
  EXPECT_EQ(SanitizerOwnOptions("valgrind"), nullptr);
}

// A suppression's use is read from the logs of the runs that report the tool's findings,
// which the launcher writes: a tag no launcher run has would leave every entry "unused".
TEST(MemoryToolsTest, SuppressionUseComesFromALauncherRun) {
  for (const MemoryTool& tool : MemoryTools()) {
    if (tool.suppressions_reported_by.empty()) continue;
    const MemoryTool* run = FindMemoryTool(tool.suppressions_reported_by);
    ASSERT_NE(run, nullptr) << tool.name;
    EXPECT_TRUE(run->launcher_tool) << tool.name;
    EXPECT_EQ(RunToolFor(std::string(tool.name)), tool.suppressions_reported_by);
  }
  EXPECT_EQ(RunToolFor("lsan"), "asan");
  EXPECT_EQ(RunToolFor("ubsan"), "");
  EXPECT_EQ(RunToolFor("msan"), "");
}

// memsafe init copies each tool's suppression file from the package's templates.
TEST(MemoryToolsTest, EveryToolsSuppressionFileHasATemplate) {
  for (const MemoryTool& tool : MemoryTools()) {
    EXPECT_TRUE(std::filesystem::is_regular_file(std::string(MEMSAFE_TEST_SOURCE_DIR) + "/cmake/templates/" +
                                                 std::string(tool.suppression_file)))
        << tool.name << ": " << tool.suppression_file;
  }
}

TEST(MemoryToolsTest, ToolsAreFoundByName) {
  ASSERT_NE(FindMemoryTool("tsan"), nullptr);
  EXPECT_EQ(FindMemoryTool("tsan")->options_variable, "TSAN_OPTIONS");
  EXPECT_EQ(FindMemoryTool("msan"), nullptr);
  std::set<std::string_view> names;
  for (const MemoryTool& tool : MemoryTools()) EXPECT_TRUE(names.insert(tool.name).second) << tool.name;
}

}  // namespace
}  // namespace memsafe::tools
