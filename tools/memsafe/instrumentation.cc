// Whether a test's program carries the memory tool its preset promises
// (test_verdict.h: ResolveProgram, MissingInstrumentation).
#include "test_verdict.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <utility>

#include "common/memory_tools.h"
#include "common/text.h"
#include "loaded_objects.h"
#include "report/report.h"
#include "report/report_output.h"
#include "suppressions/options_lint.h"

namespace memsafe::tools {

namespace fs = std::filesystem;

std::string ResolveProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    const std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return program;
}

bool MissingInstrumentation(const std::string& program, const std::vector<std::string>& wanted,
                            std::vector<std::string>* missing, bool* elf, std::string* why) {
  missing->clear();
  *elf = false;
  // What each compiler emits into every instrumented object.
  static const std::map<std::string, std::string> kMarkers = [] {
    std::map<std::string, std::string> markers;
    for (const MemoryTool& tool : MemoryTools()) {
      if (!tool.runtime_marker.empty()) markers.emplace(tool.sanitizer, tool.runtime_marker);
    }
    return markers;
  }();
  std::error_code error;
  if (!fs::is_regular_file(program, error)) {
    *why = "is not a regular file";
    return false;
  }
  std::ifstream in(program, std::ios::binary);
  char magic[4] = {};
  if (!in.read(magic, sizeof magic)) return true;  // shorter than an ELF header: not compiled code
  if (std::string_view(magic, 4) != kElfMagic) return true;
  *elf = true;
  std::map<std::string, bool> seen;
  size_t longest = 0;
  for (const std::string& tool : wanted) {
    if (kMarkers.count(tool)) {
      seen[tool] = false;
      longest = std::max(longest, kMarkers.at(tool).size());
    }
  }
  if (seen.empty()) return true;
  // In blocks, keeping the tail of the last one: a marker may straddle two blocks.
  in.seekg(0);
  std::string window;
  std::vector<char> block(1 << 20);
  while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0) {
    window.append(block.data(), static_cast<size_t>(in.gcount()));
    bool all = true;
    for (auto& [tool, found] : seen) {
      found = found || window.find(kMarkers.at(tool)) != std::string::npos;
      all = all && found;
    }
    if (all) break;  // the rest of a large executable need not be read
    if (window.size() > longest) window.erase(0, window.size() - longest);
  }
  if (in.bad()) {
    *why = "cannot be read";
    return false;
  }
  for (const std::string& tool : wanted) {
    if (seen.count(tool) && !seen[tool]) missing->push_back(tool);
  }
  return true;
}

}  // namespace memsafe::tools
