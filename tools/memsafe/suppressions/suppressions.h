// Parsing and checking memsafe's suppression files: the entries in each tool's own
// syntax, and the four metadata lines every entry must carry (see sanitizers/README.md).
//
// Thread-safety: pure functions over values.
// Failure: never throws for bad input; every problem becomes a Problem with its line.
#ifndef MEMSAFE_TOOLS_SUPPRESSIONS_H_
#define MEMSAFE_TOOLS_SUPPRESSIONS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/text.h"

namespace memsafe::tools {

enum class SuppressionSyntax {
  kSanitizer,   // asan.supp, lsan.supp, tsan.supp: type:pattern per line
  kIgnoreList,  // ubsan_ignorelist.txt: [section], src:/fun:/... lines
  kValgrind,    // valgrind.supp: { name / Tool:Kind / ... }
};

// From the file name: valgrind*.supp, *ignorelist*, otherwise sanitizer syntax.
SuppressionSyntax SyntaxForPath(std::string_view path);

struct Entry {
  int line = 0;      // where the entry itself starts
  std::string text;  // "leak:foo", "src:*/x/*", or the Valgrind block's name
  std::string tool;  // "lsan", "tsan", "asan", "ubsan", "valgrind"
  std::string reason, tracker;
  std::optional<int> added, review_by;  // days since epoch, when well-formed
  // Drafted by `memsafe suppressions add --from-report` and not yet explained: its
  // reason starts with "draft:" (see suppression_drafts.h). Valid, and listed until
  // someone writes the real reason and tracker.
  bool draft = false;
};

struct Problem {
  int line = 0;
  std::string message;
  bool note = false;  // said, not counted: nothing memsafe runs is weakened by it
};

struct ParsedFile {
  std::string path;
  std::vector<Entry> entries;
  std::vector<Problem> problems;  // syntax and metadata problems, in line order
  std::vector<Problem> drafts;    // entries still to explain (not problems), in line order
};

// Why a suppression pattern (what follows "leak:", "race:", a Valgrind "fun:") would
// match (nearly) every report: nothing but wildcards and anchors ("*", "^*$", "*?*"),
// one or two characters ("a", "^"), or a function on every stack ("main", "^main$",
// "malloc", "operator new"). nullopt for a pattern narrow enough to review.
// `type` is the entry's type ("leak", "race", "interceptor_name", ...; "" for a
// Valgrind frame, which the caller anchors): an interceptor_name pattern is judged by the
// interceptors it matches, not by stacks.
std::optional<std::string> TooBroadPattern(std::string_view pattern, std::string_view type = "");

// The longest a review-by date may lie after the added date: one quarter.
inline constexpr int kMaxReviewDays = 92;

ParsedFile ParseSuppressions(std::string path, std::string_view content);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_SUPPRESSIONS_H_
