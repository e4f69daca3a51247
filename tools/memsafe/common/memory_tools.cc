#include "common/memory_tools.h"

namespace memsafe::tools {

const std::vector<MemoryTool>& MemoryTools() {
  // Sources: the option variables and suppression file formats of compiler-rt's runtimes
  // (sanitizer_flags.inc, lsan_flags.inc, tsan_flags.inc, ubsan_flags.inc); the markers
  // are what GCC 12 and Clang 14 emit into every instrumented object (__asan_version_
  // mismatch_check_v8, __tsan_init), read with nm from the canaries.
  // The suppression types are those each runtime's suppression parser accepts
  // (asan_suppressions.cpp, lsan_common.cpp, tsan_suppressions.cpp).
  static const std::vector<MemoryTool> tools = {
      {"asan",
       "address",
       "ASAN_OPTIONS",
       "asan.supp",
       "__asan_version_mismatch_check",
       true,
       "asan",
       {"interceptor_name", "interceptor_via_fun", "interceptor_via_lib", "odr_violation"}},
      {"lsan", "leak", "LSAN_OPTIONS", "lsan.supp", "", false, "asan", {"leak"}},
      {"ubsan", "undefined", "UBSAN_OPTIONS", "ubsan_ignorelist.txt", "", true, "", {}},
      {"tsan",
       "thread",
       "TSAN_OPTIONS",
       "tsan.supp",
       "__tsan_init",
       true,
       "tsan",
       {"race", "race_top", "thread", "mutex", "signal", "deadlock", "called_from_lib"}},
      {"valgrind", "", "", "valgrind.supp", "", true, "valgrind", {}},
  };
  return tools;
}

const MemoryTool* FindMemoryTool(std::string_view name) {
  for (const MemoryTool& tool : MemoryTools()) {
    if (tool.name == name) return &tool;
  }
  return nullptr;
}

std::vector<std::string> LauncherToolNames() {
  std::vector<std::string> names = {"none"};
  for (const MemoryTool& tool : MemoryTools()) {
    if (tool.launcher_tool) names.emplace_back(tool.name);
  }
  return names;
}

}  // namespace memsafe::tools
