// The memory tools memsafe runs, one row each: every list of tool names, option
// variables, suppression files and runtime markers in the tool's C++ reads this table.
// The launcher (cmake/memsafe-run.sh) and the CMake module keep lists of their own in
// their languages; MemoryToolsTest checks that the launcher's agrees with this one.
//
// Example:
//   for (const MemoryTool& tool : MemoryTools()) {
//     if (!tool.options_variable.empty()) Lint(std::getenv(std::string(tool.options_variable).c_str()));
//   }
//   const MemoryTool* tsan = FindMemoryTool("tsan");  // nullptr for a name not in the table
//
// Thread-safety: a constant table.
#ifndef MEMSAFE_TOOLS_COMMON_MEMORY_TOOLS_H_
#define MEMSAFE_TOOLS_COMMON_MEMORY_TOOLS_H_

#include <string>
#include <string_view>
#include <vector>

namespace memsafe::tools {

struct MemoryTool {
  std::string_view name;              // log tag and report name: asan, lsan, ubsan, tsan, valgrind
  std::string_view sanitizer;         // -fsanitize= and MEMSAFE_EXPECT name; "" for Valgrind
  std::string_view options_variable;  // the runtime's options variable; "" for Valgrind
  std::string_view suppression_file;  // its file under sanitizers/
  // A symbol every object the compiler instrumented for it carries; "" when the tool
  // instruments nothing (Valgrind) or leaves no symbol of its own in every object.
  std::string_view runtime_marker;
  bool launcher_tool;  // a --tool of the launcher (LSan runs inside the asan tool)
  // The log tag of the runs whose logs say which of its suppressions matched (LSan's come
  // from the asan runs); "" when no run says (UBSan's ignore list acts when compiling).
  std::string_view suppressions_reported_by;
  // The types its runtime's suppression file may name ("leak", "race"); empty for a file
  // in another syntax (Valgrind's own, UBSan's ignore list).
  std::vector<std::string_view> suppression_types;
};

const std::vector<MemoryTool>& MemoryTools();
const MemoryTool* FindMemoryTool(std::string_view name);

// The names the launcher's --tool takes: "none", then every launcher tool of the table.
std::vector<std::string> LauncherToolNames();

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_COMMON_MEMORY_TOOLS_H_
