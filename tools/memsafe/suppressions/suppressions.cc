#include "suppressions/suppressions.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/memory_tools.h"
#include "suppressions/suppression_drafts.h"

namespace memsafe::tools {
namespace {

std::string ToolForPath(std::string_view path, SuppressionSyntax syntax) {
  if (syntax == SuppressionSyntax::kValgrind) return "valgrind";
  if (syntax == SuppressionSyntax::kIgnoreList) return "ubsan";
  const auto slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (const MemoryTool& tool : MemoryTools()) {
    if (!tool.suppression_types.empty() && name.find(tool.name) != std::string_view::npos)
      return std::string(tool.name);
  }
  return "sanitizer";
}

// What each sanitizer's suppression file may name, and under "sanitizer" (a file whose
// name says no tool) what any of them may.
const std::map<std::string, std::set<std::string>>& SanitizerTypes() {
  static const std::map<std::string, std::set<std::string>> types = [] {
    std::map<std::string, std::set<std::string>> by_tool;
    for (const MemoryTool& tool : MemoryTools()) {
      if (tool.suppression_types.empty()) continue;
      by_tool[std::string(tool.name)].insert(tool.suppression_types.begin(), tool.suppression_types.end());
      by_tool["sanitizer"].insert(tool.suppression_types.begin(), tool.suppression_types.end());
    }
    return by_tool;
  }();
  return types;
}

// Frames on (nearly) every stack a tool reports, as the symbolizers name them, and the
// modules and files they come from (LSan and TSan match a pattern against the function,
// the module and the file of a frame; Valgrind's obj: against the module): the
// program's and each thread's entry points (glibc, libstdc++'s std::thread, the
// sanitizer runtimes' thread start), the allocator every leak and heap report passes
// through (demangled and mangled), and the runtimes themselves.
constexpr std::string_view kEveryStack[] = {
    "main",
    "__libc_start_main",
    "__libc_start_call_main",
    "_start",
    "start_thread",
    "clone",
    "clone3",
    "__clone",
    "__clone3",
    "pthread_create",
    "__interceptor_pthread_create",
    "std::thread::_State_impl<std::thread::_Invoker<std::tuple<void (*)()> > >::_M_run()",
    "void std::__invoke_impl<void, void (*)()>(std::__invoke_other, void (*&&)())",
    "__tsan_thread_start_func",
    "asan_thread_start",
    "execute_native_thread_routine",
    // the test frameworks' frames under every test: GoogleTest, Catch2, doctest
    "testing::Test::Run()",
    "testing::TestInfo::Run()",
    "void testing::internal::HandleExceptionsInMethodIfSupported<testing::Test, void>(testing::Test*, void "
    "(testing::Test::*)(), char const*)",
    "AnySuite_AnyCase_Test::TestBody()",
    "RUN_ALL_TESTS()",
    "Catch::RunContext::runCurrentTest(std::__cxx11::basic_string<char, std::char_traits<char>, "
    "std::allocator<char> >&, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >&)",
    "Catch::Session::run()",
    "doctest::Context::run()",
    "operator new(unsigned long)",
    "operator new[](unsigned long)",
    "operator delete(void*)",
    "operator delete[](void*)",
    "_Znwm",
    "_Znam",
    "_ZdlPv",
    "_ZdaPv",
    "_ZdlPvm",
    "malloc",
    "calloc",
    "realloc",
    "free",
    "posix_memalign",
    "aligned_alloc",
    "memalign",
    "valloc",
    "__interceptor_malloc",
    "__interceptor_calloc",
    "__interceptor_realloc",
    "__interceptor_free",
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/lib/x86_64-linux-gnu/libstdc++.so.6",
    "/lib64/ld-linux-x86-64.so.2",
    "/usr/lib/x86_64-linux-gnu/libasan.so.8",
    "/usr/lib/x86_64-linux-gnu/libtsan.so.2",
    "/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.a",
    "/usr/lib/x86_64-linux-gnu/valgrind/vgpreload_memcheck-amd64-linux.so",
    "compiler-rt/lib/asan/asan_malloc_linux.cpp",
    "compiler-rt/lib/tsan/rtl/tsan_interceptors_posix.cpp",
    "compiler-rt/lib/sanitizer_common/sanitizer_common_interceptors.inc",
};

// Functions the sanitizers intercept, as interceptor_name: entries name them: a pattern
// that matches more than one is a family, not an interceptor.
constexpr std::string_view kInterceptors[] = {
    "strlen",  "strnlen", "strcpy",   "strncpy", "strcat", "strncat", "strcmp",  "strncmp",   "strchr",
    "strrchr", "strstr",  "strdup",   "strndup", "strspn", "strcspn", "strpbrk", "memcpy",    "memmove",
    "memset",  "memcmp",  "memchr",   "memmem",  "bcmp",   "fread",   "fwrite",  "read",      "write",
    "printf",  "sprintf", "snprintf", "fgets",   "gets",   "puts",    "send",    "recv",      "sendmsg",
    "wcslen",  "wcsnlen", "wcscpy",   "wcsncpy", "wcscat", "wcscmp",  "time",    "localtime", "gmtime",
    "ctime",   "strtol",  "strtoul",  "strtoll", "atoi",   "atol",    "sscanf",  "scanf",     "fscanf"};

// Whether a suppression pattern matches a name: '*' is any text, '?' one character (as
// Valgrind reads it; the broader reading for the sanitizers), '^' and '$' anchor, and
// otherwise the pattern may match anywhere in the name (LSan's and TSan's rule). Written
// by hand, iteratively: a regular expression library recurses on long patterns.
bool PatternMatches(std::string_view pattern, std::string_view name) {
  bool start = false, end = false;
  if (!pattern.empty() && pattern.front() == '^') {
    start = true;
    pattern.remove_prefix(1);
  }
  if (!pattern.empty() && pattern.back() == '$') {
    end = true;
    pattern.remove_suffix(1);
  }
  // Glob matching of `pattern` against name[from, name.size()), with a trailing '*'
  // when the end is not anchored.
  const auto glob = [&](size_t from) {
    size_t p = 0, n = from, star = std::string_view::npos, mark = 0;
    while (n < name.size()) {
      if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
        ++p;
        ++n;
      } else if (p < pattern.size() && pattern[p] == '*') {
        star = p++;
        mark = n;
      } else if (p == pattern.size() && !end) {
        return true;  // the rest of the name is free
      } else if (star != std::string_view::npos) {
        p = star + 1;
        n = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
  };
  if (start) return glob(0);
  for (size_t from = 0; from <= name.size(); ++from) {
    if (glob(from)) return true;
  }
  return false;
}

// The checks of Clang's -fsanitize=undefined family, as ignore-list sections name them
// ("undefined" for all of them).
bool IsUbsanCheck(std::string_view name) {
  static constexpr std::string_view kChecks[] = {"undefined",
                                                 "alignment",
                                                 "bool",
                                                 "builtin",
                                                 "bounds",
                                                 "array-bounds",
                                                 "local-bounds",
                                                 "enum",
                                                 "float-cast-overflow",
                                                 "float-divide-by-zero",
                                                 "function",
                                                 "integer",
                                                 "integer-divide-by-zero",
                                                 "nonnull-attribute",
                                                 "null",
                                                 "object-size",
                                                 "pointer-overflow",
                                                 "return",
                                                 "returns-nonnull-attribute",
                                                 "shift",
                                                 "shift-base",
                                                 "shift-exponent",
                                                 "signed-integer-overflow",
                                                 "unreachable",
                                                 "unsigned-integer-overflow",
                                                 "unsigned-shift-base",
                                                 "vla-bound",
                                                 "vptr",
                                                 "implicit-conversion",
                                                 "implicit-integer-truncation",
                                                 "implicit-unsigned-integer-truncation",
                                                 "implicit-signed-integer-truncation",
                                                 "implicit-integer-sign-change",
                                                 "implicit-integer-arithmetic-value-change",
                                                 "nullability",
                                                 "nullability-arg",
                                                 "nullability-assign",
                                                 "nullability-return"};
  // Clang reads a section as a pattern matched against every sanitizer's name
  // ("implicit-conversion|address" reaches ASan): each alternative must be one check,
  // written out ('|' or a {a,b} list), with no pattern characters.
  std::string_view names = name;
  if (names.starts_with("{") && names.ends_with("}")) names = names.substr(1, names.size() - 2);
  if (names.empty()) return false;
  while (!names.empty()) {
    const size_t bar = names.find_first_of("|,");
    const std::string_view one = names.substr(0, bar);
    const bool known = std::find(std::begin(kChecks), std::end(kChecks), one) != std::end(kChecks);
    if (!known) return false;
    if (bar == std::string_view::npos) break;
    names.remove_prefix(bar + 1);
    if (names.empty()) return false;
  }
  return true;
}

bool IsPlaceholder(std::string_view reason) {
  std::string lower;
  for (char c : reason) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* placeholder : {"todo", "tbd", "fixme", "xxx", "n/a", "na", "none", "-", "?", "...", "reason",
                                  "unknown", "temp", "temporary"}) {
    if (lower == placeholder) return true;
  }
  return lower.rfind("todo", 0) == 0 || lower.rfind("tbd", 0) == 0 || lower.rfind("fixme", 0) == 0;
}

// The metadata lines seen since the last entry.
struct Pending {
  int first_line = 0;
  std::optional<std::string> reason, tracker, added, review_by;
  void Clear() { *this = Pending(); }
  bool Any() const { return reason || tracker || added || review_by; }
};

void ReadMetadata(std::string_view comment, int line, Pending& pending) {
  // comment is the text after '#'
  const std::string_view text = Trim(comment);
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view key = Trim(text.substr(0, colon));
  const std::string value(Trim(text.substr(colon + 1)));
  std::optional<std::string>* slot = nullptr;
  if (key == "reason") slot = &pending.reason;
  if (key == "tracker") slot = &pending.tracker;
  if (key == "added") slot = &pending.added;
  if (key == "review-by") slot = &pending.review_by;
  if (slot == nullptr) return;
  if (!pending.Any()) pending.first_line = line;
  *slot = value;
}

void Attach(Entry& entry, const Pending& pending, ParsedFile& file) {
  const auto problem = [&](std::string message) { file.problems.push_back({entry.line, std::move(message)}); };
  entry.draft = pending.reason && pending.reason->rfind(kDraftReason, 0) == 0;
  if (!pending.reason) {
    problem("entry '" + entry.text + "' has no '# reason:' line");
  } else if (pending.reason->empty() || IsPlaceholder(*pending.reason) ||
             (entry.draft && Trim(std::string_view(*pending.reason).substr(kDraftReason.size())).empty())) {
    problem("entry '" + entry.text + "' has an empty or placeholder reason");
  } else {
    entry.reason = *pending.reason;
  }
  if (!pending.tracker || pending.tracker->empty()) {
    problem("entry '" + entry.text + "' has no '# tracker:' line");
  } else if (*pending.tracker == kDraftTracker && !entry.draft) {
    problem("entry '" + entry.text + "' has tracker '" + std::string(kDraftTracker) +
            "' but an explained reason: name where its removal is tracked");
  } else {
    entry.tracker = *pending.tracker;
  }
  if (entry.draft) {
    file.drafts.push_back({entry.line, "entry '" + entry.text + "' is a draft: write why it is not a bug to fix " +
                                           "here (the reason) and where it is tracked"});
  }
  if (!pending.added) {
    problem("entry '" + entry.text + "' has no '# added:' line");
  } else if (!(entry.added = ParseDate(*pending.added))) {
    problem("entry '" + entry.text + "': added date '" + *pending.added + "' is not YYYY-MM-DD");
  }
  if (!pending.review_by) {
    problem("entry '" + entry.text + "' has no '# review-by:' line");
  } else if (!(entry.review_by = ParseDate(*pending.review_by))) {
    problem("entry '" + entry.text + "': review-by date '" + *pending.review_by + "' is not YYYY-MM-DD");
  }
  if (entry.added && entry.review_by) {
    if (*entry.review_by < *entry.added) {
      problem("entry '" + entry.text + "': review-by is before added");
    } else if (*entry.review_by - *entry.added > kMaxReviewDays) {
      problem("entry '" + entry.text + "': review-by is " + std::to_string(*entry.review_by - *entry.added) +
              " days after added; at most " + std::to_string(kMaxReviewDays) + " (one quarter)");
    }
  }
}

Entry MakeEntry(int line, std::string text) {
  Entry entry;
  entry.line = line;
  entry.text = std::move(text);
  return entry;
}

bool IsValgrindKind(std::string_view line) {
  // Tool:Kind, e.g. Memcheck:Leak, Memcheck:Cond, Memcheck:Addr8, Helgrind:Race
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= line.size()) return false;
  for (char c : line) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != ':' && c != '_' && c != ',') return false;
  }
  return std::isupper(static_cast<unsigned char>(line.front())) != 0;
}

bool IsValgrindFrame(std::string_view line) {
  return line == "..." || line.rfind("fun:", 0) == 0 || line.rfind("obj:", 0) == 0 || line.rfind("src:", 0) == 0;
}

// What ParseSuppressions carries from one line to the next: the file being filled, the
// metadata still waiting for its entry, the entries seen (duplicates are problems) and,
// in an ignore list, the section the lines below belong to.
struct ParseState {
  ParsedFile file;
  std::string tool;
  Pending pending;
  std::set<std::string> seen;
  std::string section;  // the ignore list's current [check]
};

// Every entry, whatever its syntax, takes the metadata read above it and is checked for
// duplicates here. too_broad: why the entry matches (nearly) every report of its kind,
// which switches the tool off; no reason makes that acceptable.
void AddEntry(ParseState& state, Entry entry, const std::optional<std::string>& too_broad = std::nullopt) {
  ParsedFile& file = state.file;
  entry.tool = state.tool;
  if (too_broad) {
    file.problems.push_back({entry.line, "entry '" + entry.text + "' is a catch-all (" + *too_broad +
                                             "), which switches the tool off: memsafe refuses it; fix the "
                                             "code, or suppress the finding by a frame of its own"});
  }
  Attach(entry, state.pending, file);
  if (!state.seen.insert(entry.text).second) {
    file.problems.push_back({entry.line, "duplicate entry '" + entry.text + "'"});
  }
  state.pending.Clear();
  file.entries.push_back(std::move(entry));
}

// One "type:pattern" line of an ASan, LSan or TSan suppression file.
void ParseSanitizerLine(ParseState& state, int number, std::string_view line) {
  const auto colon = line.find(':');
  const std::string type(colon == std::string_view::npos ? line : line.substr(0, colon));
  const std::string& tool = state.tool;
  const auto& known = SanitizerTypes().at(SanitizerTypes().count(tool) ? tool : "sanitizer");
  std::vector<Problem>& problems = state.file.problems;
  if (colon == std::string_view::npos || Trim(line.substr(colon + 1)).empty()) {
    problems.push_back(Problem{number, "expected '<type>:<pattern>', got '" + std::string(line) + "'"});
  } else if (known.count(type) == 0) {
    problems.push_back(Problem{number, "unknown suppression type '" + type + "' for " + tool});
  } else if (line.find_first_of(" \t") != std::string_view::npos) {
    problems.push_back(Problem{number, "whitespace inside the entry (the runtime would take it literally)"});
  }
  AddEntry(state, MakeEntry(number, std::string(line)),
           colon == std::string_view::npos ? std::nullopt : TooBroadPattern(Trim(line.substr(colon + 1)), type));
}

// An ignore list names where code is, not what is on a stack: a pattern whose fixed text
// (without wildcards and [...] classes) is one or two characters, such as "*", "/*" or
// "[a-z]*", covers everything.
bool MatchesAllCode(std::string_view pattern) {
  std::string fixed;
  bool in_class = false;
  for (char c : pattern) {
    if (c == '[') in_class = true;
    if (!in_class && c != '*' && c != '?') fixed += c;
    if (c == ']') in_class = false;
  }
  return fixed.size() <= 2;
}

// A "[check]" line of an ignore list: it opens the section its entries belong to.
void ReadSectionHeader(ParseState& state, int number, std::string_view line) {
  if (line.back() != ']' || line.size() < 3) {
    state.file.problems.push_back(Problem{number, "unterminated section header '" + std::string(line) + "'"});
    return;
  }
  // The list is given to -fsanitize-ignorelist=, which every sanitizer of the
  // build reads: a section other than UBSan's checks would take ASan or TSan
  // off the code it names, where no canary looks.
  state.section = std::string(line.substr(1, line.size() - 2));
  if (!IsUbsanCheck(state.section)) {
    state.file.problems.push_back(Problem{number, "section [" + state.section +
                                                      "] is not a UBSan check: this list reaches every sanitizer "
                                                      "of the build, and only UBSan's checks may be ignored here"});
  }
}

// One line of a UBSan ignore list: a section header or an entry under it.
void ParseIgnoreListLine(ParseState& state, int number, std::string_view line) {
  if (line.front() == '[') {
    ReadSectionHeader(state, number, line);
    return;  // a section is not an entry; its lines below are
  }
  std::vector<Problem>& problems = state.file.problems;
  const auto colon = line.find(':');
  const std::string type(colon == std::string_view::npos ? line : line.substr(0, colon));
  if (colon == std::string_view::npos ||
      (type != "src" && type != "fun" && type != "type" && type != "global" && type != "mainfile")) {
    problems.push_back(
        Problem{number, "expected src:, fun:, type:, global: or mainfile:, got '" + std::string(line) + "'"});
  }
  if (state.section.empty()) {
    problems.push_back(Problem{number,
                               "entry outside a [check] section: it would take every sanitizer "
                               "of the build (ASan and TSan too) off that code; put it under "
                               "the UBSan check it is for, e.g. [alignment]"});
  }
  std::optional<std::string> too_broad;
  if (colon != std::string_view::npos && (type == "src" || type == "fun") &&
      MatchesAllCode(Trim(line.substr(colon + 1)))) {
    too_broad = "matches all code";
  }
  AddEntry(state, MakeEntry(number, std::string(line)), too_broad);
}

// Checks the lines of a closed Valgrind block (name, Tool:Kind, optional extra line,
// frames) and tells whether it is a catch-all: a block whose every frame line matches
// anything, or only frames every stack has ("...", fun:*, fun:main, fun:malloc),
// matches every error of its kind.
bool CheckValgrindBody(ParsedFile& file, int number, const std::vector<std::string_view>& body) {
  bool catch_all = body.size() >= 3;
  if (body.size() < 3) {
    file.problems.push_back(Problem{number, "a suppression needs a name, a Tool:Kind line and at least one frame"});
    return catch_all;
  }
  if (!IsValgrindKind(body[1])) {
    file.problems.push_back(
        Problem{number, "second line must be Tool:Kind (e.g. Memcheck:Leak), got '" + std::string(body[1]) + "'"});
  }
  std::size_t frames = 2;
  if (!IsValgrindFrame(body[2])) frames = 3;  // the optional extra line (match-leak-kinds:, ...)
  if (frames >= body.size()) {
    file.problems.push_back(Problem{number, "a suppression needs at least one frame (fun:, obj:, src: or ...)"});
  }
  for (std::size_t k = frames; k < body.size(); ++k) {
    const std::string_view frame = body[k];
    const auto colon = frame.find(':');
    // Valgrind matches a frame's pattern against the whole name: anchored here.
    const std::string whole = "^" + std::string(Trim(frame.substr(colon + 1))) + "$";
    catch_all = catch_all && (frame == "..." || (colon != std::string_view::npos && TooBroadPattern(whole)));
    if (!IsValgrindFrame(body[k])) {
      file.problems.push_back(Problem{number, "not a frame line: '" + std::string(body[k]) + "'"});
    }
  }
  return catch_all;
}

// A Valgrind block spans lines: reads the one that opens at lines[i] and returns the
// index of the last line it consumed, where the caller's line loop goes on.
std::size_t ParseValgrindBlock(ParseState& state, const std::vector<std::string_view>& lines, std::size_t i) {
  const int number = static_cast<int>(i) + 1;
  const std::string_view line = Trim(lines[i]);
  if (line != "{") {
    state.file.problems.push_back(
        Problem{number, "expected '{' to open a suppression, got '" + std::string(line) + "'"});
    return i;
  }
  // name, Tool:Kind, optional extra line, frames, '}'
  std::vector<std::string_view> body;
  std::size_t j = i + 1;
  for (; j < lines.size() && Trim(lines[j]) != "}"; ++j) {
    if (Trim(lines[j]) == "{") break;
    if (!Trim(lines[j]).empty()) body.push_back(Trim(lines[j]));
  }
  if (j >= lines.size() || Trim(lines[j]) != "}") {
    state.file.problems.push_back(Problem{number, "suppression block opened here is never closed with '}'"});
    AddEntry(state, MakeEntry(number, body.empty() ? std::string("{") : std::string(body.front())));
    return j - 1;
  }
  Entry entry = MakeEntry(number, body.empty() ? std::string() : std::string(body.front()));
  const bool catch_all = CheckValgrindBody(state.file, number, body);
  AddEntry(state, std::move(entry),
           catch_all ? std::optional<std::string>("its frames match every stack") : std::nullopt);
  return j;
}

}  // namespace

std::optional<std::string> TooBroadPattern(std::string_view pattern, std::string_view type) {
  if (pattern.size() > 1024) return "a pattern of over 1 KiB names no symbol a compiler wrote";
  // What must literally be in a name for the pattern to match: without the wildcards
  // ('*', and '?' which Valgrind reads as one) and the sanitizers' anchors ('^', '$').
  std::string literal;
  for (char c : pattern) {
    if (c != '*' && c != '?' && c != '^' && c != '$') literal += c;
  }
  if (literal.empty()) return "matches every report of its kind";
  if (type == "interceptor_name") {
    std::string matched;
    int count = 0;
    for (const std::string_view name : kInterceptors) {
      if (PatternMatches(pattern, name)) {
        matched += (count++ == 0 ? "" : ", ") + std::string(name);
      }
    }
    if (count > 1) return "it matches the interceptors " + matched + ": a family, not one interceptor";
    return std::nullopt;
  }
  // A name of one or two letters matches almost every name, unless anchored at both ends
  // (the C function "ab" exactly).
  const bool exact = pattern.starts_with("^") && pattern.ends_with("$") && pattern.size() > 2;
  if (literal.size() <= 2 && !exact) return "a pattern of one or two characters matches almost every stack";
  for (const std::string_view frame : kEveryStack) {
    if (PatternMatches(pattern, frame)) return "it matches '" + std::string(frame) + "', on (nearly) every stack";
  }
  return std::nullopt;
}

SuppressionSyntax SyntaxForPath(std::string_view path) {
  const auto slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (name.find("valgrind") != std::string_view::npos) return SuppressionSyntax::kValgrind;
  if (name.find("ignorelist") != std::string_view::npos || name.find("blacklist") != std::string_view::npos) {
    return SuppressionSyntax::kIgnoreList;
  }
  return SuppressionSyntax::kSanitizer;
}

ParsedFile ParseSuppressions(std::string path, std::string_view content) {
  ParseState state;
  state.file.path = std::move(path);
  const SuppressionSyntax syntax = SyntaxForPath(state.file.path);
  state.tool = ToolForPath(state.file.path, syntax);
  const std::vector<std::string_view> lines = SplitLines(content);

  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    const std::string_view line = Trim(lines[i]);
    if (line.empty()) continue;
    if (line.front() == '#') {
      ReadMetadata(line.substr(1), number, state.pending);
      continue;
    }
    switch (syntax) {
      case SuppressionSyntax::kSanitizer:
        ParseSanitizerLine(state, number, line);
        break;
      case SuppressionSyntax::kIgnoreList:
        ParseIgnoreListLine(state, number, line);
        break;
      case SuppressionSyntax::kValgrind:
        i = ParseValgrindBlock(state, lines, i);
        break;
    }
  }
  ParsedFile& file = state.file;
  if (state.pending.Any()) {
    file.problems.push_back({state.pending.first_line, "metadata lines are not followed by an entry"});
  }
  std::stable_sort(file.problems.begin(), file.problems.end(),
                   [](const Problem& a, const Problem& b) { return a.line < b.line; });
  return std::move(file);
}

}  // namespace memsafe::tools
