// Draft suppression entries from a findings report: how a project that adopts memsafe
// gets a green run on day one while every finding it has not yet dealt with stays
// visible.
//
// Each finding of `memsafe report --json` (build/memsafe-report/findings.json) becomes,
// per tool that reported it, one entry in that tool's file, in the tool's syntax:
//   lsan      leak:<function>
//   tsan      race:<function> (deadlock:, thread: for those kinds)
//   valgrind  { name / Memcheck:<Kind> / ... / fun:<function> }
//   ubsan     [<check>] fun:<function> in the ignore list (Clang builds; compile time)
// <function> is the first frame of the report that is not an allocator. The metadata
// is filled where memsafe knows it (added = today, review-by = the policy's maximum)
// and marked as a draft where only the project can say (reason "draft: ...",
// tracker "draft"): the lint accepts such entries but lists each one as a draft to
// explain, and memsafe check prints them, until someone writes the real reason.
// AddressSanitizer's memory errors cannot be suppressed at run time: they are listed
// as not drafted (fix them, or exclude the code from instrumentation).
//
// Example:
//   std::vector<Draft> drafts;
//   std::vector<std::string> not_drafted;
//   std::string error;
//   if (DraftSuppressions(report_json_text, today, &drafts, &not_drafted, &error)) ...
//
// Thread-safety: pure functions over values.
// Failure: a report that is not memsafe's findings JSON gives false and a message.
#ifndef MEMSAFE_TOOLS_SUPPRESSION_DRAFTS_H_
#define MEMSAFE_TOOLS_SUPPRESSION_DRAFTS_H_

#include <string>
#include <string_view>
#include <vector>

namespace memsafe::tools {

// The start of a drafted entry's reason, and its tracker, until the project explains it.
inline constexpr std::string_view kDraftReason = "draft:";
inline constexpr std::string_view kDraftTracker = "draft";

struct Draft {
  std::string file;   // "lsan.supp", "tsan.supp", "valgrind.supp", "ubsan_ignorelist.txt"
  std::string entry;  // the entry itself, as it appears in the file (several lines for Valgrind)
  std::string text;   // the four metadata lines, then the entry, ending in '\n'
};

bool DraftSuppressions(std::string_view report_json, int today, std::vector<Draft>* drafts,
                       std::vector<std::string>* not_drafted, std::string* error);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_SUPPRESSION_DRAFTS_H_
