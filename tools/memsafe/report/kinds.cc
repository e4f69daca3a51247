// Finding kinds: each tool's words for a bug, normalised to one name (report_internal.h).
#include "report/report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "common/text.h"
#include "report/report_internal.h"

namespace memsafe::tools {

namespace fs = std::filesystem;

// "data race (pid=12)" -> "data-race"; "alloc-dealloc-mismatch (operator new vs free)" ->
// "alloc-dealloc-mismatch".
std::string KindFromWords(std::string_view words) {
  const auto paren = words.find(" (");
  std::string kind = Lower(Trim(words.substr(0, paren)));
  for (char& c : kind) {
    if (c == ' ' || c == '_') c = '-';
  }
  return kind.empty() ? "unknown" : kind;
}

std::string AsanKind(std::string_view after_tool) {
  // "heap-use-after-free on address 0x..." / "attempting double-free on 0x..." /
  // "SEGV on unknown address ..." / "requested allocation size ... exceeds ..."
  if (StartsWith(after_tool, "attempting double-free")) return "double-free";
  if (StartsWith(after_tool, "attempting free on address which was not malloc")) return "bad-free";
  if (StartsWith(after_tool, "requested allocation size")) return "allocation-size-too-big";
  const auto end = after_tool.find_first_of(" :");
  return KindFromWords(after_tool.substr(0, end));
}

// UBSan's message, not its summary: GCC's runtime says only "undefined-behavior" there.
std::string UbsanKind(std::string_view message) {
  static const std::pair<const char*, const char*> kPatterns[] = {
      {"signed integer overflow", "signed-integer-overflow"},
      {"negation of", "signed-integer-overflow"},
      {"unsigned integer overflow", "unsigned-integer-overflow"},
      {"misaligned address", "misaligned-pointer-use"},
      {"null pointer", "null-pointer-use"},
      {"shift exponent", "shift-out-of-bounds"},
      {"left shift of", "shift-out-of-bounds"},
      {"out of bounds for type", "array-index-out-of-bounds"},
      {"division by zero", "integer-divide-by-zero"},
      {"not a valid value for type", "invalid-value-load"},
      {"pointer overflow", "pointer-overflow"},
      {"applying non-zero offset", "pointer-overflow"},
      {"applying zero offset to null", "pointer-overflow"},
      {"of unsigned offset", "pointer-overflow"},  // "addition of unsigned offset to 0x.. overflowed"
      {"pointer index expression", "pointer-overflow"},
      {"unreachable program point", "unreachable"},
      {"end of a value-returning function", "missing-return"},
      {"outside the range of representable values", "float-cast-overflow"},
      {"implicit conversion", "implicit-conversion"},
      {"does not point to an object of type", "vptr-check"},
      {"insufficient space for an object", "object-size"},
      {"variable length array bound", "vla-bound-not-positive"},
      {"passed as argument", "nonnull-attribute"},
      {"control flow integrity", "cfi"},
  };
  for (const auto& [pattern, kind] : kPatterns) {
    if (message.find(pattern) != std::string_view::npos) return kind;
  }
  return "undefined-behavior";
}

std::string ValgrindKind(std::string_view kind, const std::vector<std::string>& auxwhat) {
  // Valgrind's block description says what the address is: "Address 0x.. is 8 bytes
  // inside a block of size 32 free'd", "... is 0 bytes after a block of size 32
  // alloc'd", "Address 0x0 is not stack'd, malloc'd or (recently) free'd". Only the
  // first of those is about freed memory, though the last one also says "free'd".
  static const std::regex freed_block("bytes (inside|after|before) a block of size [0-9,]+ free'd");
  static const std::regex beside_block("bytes (after|before) a block of size [0-9,]+ alloc'd");
  static const std::regex unmapped("Address 0x([0-9a-fA-F]+) is not stack'd, malloc'd or \\(recently\\) free'd");
  bool freed = false, beside = false, null_page = false;
  for (const std::string& text : auxwhat) {
    std::smatch match;
    freed = freed || std::regex_search(text, freed_block);
    beside = beside || std::regex_search(text, beside_block);
    // The first page is never mapped: an access there is a null pointer (plus an offset).
    if (std::regex_search(text, match, unmapped) && match.str(1).size() <= 16 &&
        std::stoull(match.str(1), nullptr, 16) < 4096) {
      null_page = true;
    }
  }
  if (kind == "InvalidRead" || kind == "InvalidWrite") {
    if (freed) return "heap-use-after-free";
    if (beside) return "heap-buffer-overflow";
    if (null_page) return "null-pointer-use";
    return kind == "InvalidRead" ? "invalid-read" : "invalid-write";
  }
  if (kind == "InvalidFree") return freed ? "double-free" : "bad-free";
  if (kind == "MismatchedFree") return "alloc-dealloc-mismatch";
  if (kind == "Leak_DefinitelyLost") return "memory-leak";
  if (kind == "Leak_IndirectlyLost") return "indirect-leak";
  if (kind == "Leak_PossiblyLost") return "possible-leak";
  if (kind == "Leak_StillReachable") return "still-reachable";
  if (kind == "UninitCondition" || kind == "UninitValue") return "uninitialised-value";
  if (kind == "SyscallParam") return "uninitialised-syscall-param";
  if (kind == "Overlap") return "memcpy-param-overlap";
  // Anything else: CamelCase to kebab-case, so new kinds still read sensibly.
  std::string out;
  for (char c : kind) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) out += '-';
    out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out.empty() ? "unknown" : out;
}

}  // namespace memsafe::tools
