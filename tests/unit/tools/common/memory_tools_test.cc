#include "common/memory_tools.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace memsafe::tools {
namespace {

std::string SourceFile(const std::string& relative) {
  std::ifstream in(std::string(MEMSAFE_TEST_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The launcher keeps its list of tools in shell: a tool added to one and not the other
// fails here, whichever was changed alone.
TEST(MemoryToolsTest, TheLaunchersToolsAreTheTablesLauncherTools) {
  const std::string launcher = SourceFile("cmake/memsafe-run.sh");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(launcher, match, std::regex(R"(\[\[ \$tool =~ \^\(none\|([a-z|]+)\)\$ \]\])")))
      << "cmake/memsafe-run.sh no longer checks its --tool against a list";
  std::set<std::string> in_launcher;
  std::stringstream names(match.str(1));
  for (std::string name; std::getline(names, name, '|');) in_launcher.insert(name);
  std::set<std::string> in_table;
  for (const MemoryTool& tool : MemoryTools()) {
    if (tool.launcher_tool) in_table.insert(std::string(tool.name));
  }
  EXPECT_EQ(in_launcher, in_table);
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
