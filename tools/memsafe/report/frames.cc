// Stack frames: the tools' frame lines, file:line positions, and the names of functions as compilers and tools print
// them.
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

// "file:line" or "file:line:col" at the end of a token; nullopt if it is not one.
std::optional<Frame> FileLine(std::string_view token) {
  Frame frame;
  auto colon = token.rfind(':');
  if (colon == std::string_view::npos || !AllDigits(token.substr(colon + 1))) return std::nullopt;
  int last = ToInt(token.substr(colon + 1));
  std::string_view rest = token.substr(0, colon);
  auto colon2 = rest.rfind(':');
  if (colon2 != std::string_view::npos && AllDigits(rest.substr(colon2 + 1))) {
    frame.line = ToInt(rest.substr(colon2 + 1));
    frame.column = last;
    rest = rest.substr(0, colon2);
  } else {
    frame.line = last;
  }
  if (rest.empty() || rest.find_first_of("/.") == std::string_view::npos) return std::nullopt;
  frame.file = std::string(rest);
  return frame;
}

// "file:line:col: runtime error: ..." -> the position, or nullopt for other lines.
std::optional<Frame> UbsanSite(std::string_view line) {
  const auto at = line.find(kRuntimeError);
  if (at == std::string_view::npos) return std::nullopt;
  std::optional<Frame> site = FileLine(line.substr(0, at));
  if (!site || site->column == 0) return std::nullopt;
  return site;
}

// A function's bare name, comparable across compilers and tools: GCC's sanitizer
// symbolizer prints "Increment" or "operator()" where llvm-symbolizer and Valgrind print
// "(anonymous namespace)::Increment()" or "main::$_0::operator()() const". So drop the
// qualifiers, the parameter list, template arguments and the enclosing scopes.
std::string ShortName(std::string_view name) {
  std::string text(Trim(name));
  for (const char* suffix : {" const", " volatile", " &&", " &"}) {
    if (EndsWith(text, suffix)) text.erase(text.size() - std::string_view(suffix).size());
  }
  // Removes the balanced group that ends the text: "f(int)" -> "f", "g<int>" -> "g".
  const auto strip_group = [&text](char open, char close) {
    if (text.empty() || text.back() != close) return;
    int depth = 0;
    for (size_t i = text.size(); i-- > 0;) {
      if (text[i] == close) ++depth;
      if (text[i] == open && --depth == 0) {
        text.erase(i);
        return;
      }
    }
  };
  strip_group('(', ')');
  if (EndsWith(text, "operator")) text += "()";
  strip_group('<', '>');
  // The last scope at nesting depth zero.
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    const char c = text[i];
    if (c == '(' || c == '<') ++depth;
    if ((c == ')' || c == '>') && depth > 0) --depth;
    if (depth == 0 && c == ':' && text[i + 1] == ':') start = i + 2;
  }
  std::string out;
  for (char c : std::string_view(text).substr(std::min(start, text.size()))) {
    if (c != ' ') out += c;
  }
  return out;
}

std::string FrameKey(const Frame& frame) {
  const std::string file = fs::path(frame.file).filename().string();
  if (!frame.function.empty()) return ShortName(frame.function) + (file.empty() ? "" : "@" + file);
  if (!file.empty()) return file;
  return fs::path(frame.object).filename().string();
}

std::vector<std::string> TopFrames(const Stack& stack, size_t count) {
  std::vector<std::string> keys;
  for (const Frame& frame : stack.frames) {
    if (keys.size() == count) break;
    if (!IsRuntimeFrame(frame)) keys.push_back(FrameKey(frame));
  }
  return keys;
}

Frame ParseFrameLine(std::string_view text) {
  Frame frame;
  std::string_view s = Trim(text);
  if (!s.empty() && s[0] == '#') s.remove_prefix(1);
  while (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) s.remove_prefix(1);
  s = Trim(s);
  if (StartsWith(s, "0x")) {
    s.remove_prefix(2);
    while (!s.empty() && std::isxdigit(static_cast<unsigned char>(s[0]))) s.remove_prefix(1);
    s = Trim(s);
  }
  if (StartsWith(s, "in ")) s = Trim(s.substr(3));
  if (const auto build_id = s.find(" (BuildId: "); build_id != std::string_view::npos) s = Trim(s.substr(0, build_id));
  if (StartsWith(s, "(BuildId: ")) s = {};
  // "(object+0x1234)" at the end names the binary.
  if (const auto open = s.rfind('('); EndsWith(s, ")") && open != std::string_view::npos) {
    const std::string_view group = s.substr(open + 1, s.size() - open - 2);
    const auto plus = group.rfind("+0x");
    if (plus != std::string_view::npos && (open == 0 || s[open - 1] == ' ')) {
      frame.object = std::string(group.substr(0, plus));
      s = Trim(s.substr(0, open));
    }
  }
  // The last token may be file:line[:col] or TSan's "<null>".
  const auto space = s.rfind(' ');
  const std::string_view last = space == std::string_view::npos ? s : s.substr(space + 1);
  const std::string_view before = space == std::string_view::npos ? std::string_view{} : Trim(s.substr(0, space));
  if (last == "<null>") {
    s = before;
  } else if (space != std::string_view::npos) {
    if (std::optional<Frame> where = FileLine(last)) {
      frame.file = where->file;
      frame.line = where->line;
      frame.column = where->column;
      s = before;
    } else if (StartsWith(last, "/") && last.find('.') != std::string_view::npos) {
      // A file without a line (Clang's TSan at -O1 has some accesses at line 0, and the
      // runtime then prints the file alone): the file still places the frame.
      frame.file = std::string(last);
      s = before;
    }
  }
  if (s != "<null>") frame.function = std::string(s);
  return frame;
}

bool IsRuntimeFrame(const Frame& frame) {
  const std::string_view fn = frame.function;
  for (const char* prefix :
       {"__interceptor_", "___interceptor_", "__asan", "__tsan", "__lsan", "__ubsan", "__sanitizer",
        "__interception::", "operator new", "operator delete", "__libc_", "__GI_", "_start"}) {
    if (StartsWith(fn, prefix)) return true;
  }
  for (const char* name : {"malloc", "calloc",  "realloc",      "free",   "posix_memalign", "aligned_alloc", "memalign",
                           "valloc", "pvalloc", "reallocarray", "strdup", "strndup",        "memcpy",        "memmove",
                           "memset", "memcmp",  "strlen",       "strcpy", "strncpy",        "pthread_create"}) {
    if (fn == name) return true;
  }
  const std::string file = fs::path(frame.file).filename().string();
  if (StartsWith(file, "vg_replace_") || frame.file.find("libsanitizer/") != std::string::npos ||
      frame.file.find("compiler-rt/") != std::string::npos) {
    return true;
  }
  const std::string object = fs::path(frame.object).filename().string();
  for (const char* runtime : {"vgpreload", "libasan", "libtsan", "liblsan", "libubsan", "libclang_rt"}) {
    if (object.find(runtime) != std::string::npos) return true;
  }
  return false;
}

}  // namespace memsafe::tools
