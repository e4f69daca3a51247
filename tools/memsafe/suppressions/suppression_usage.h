// Which suppression entries matched nothing in a set of runs: candidates for removal.
//
// A run says which suppressions it used (see ParseSuppressionsUsed); an entry is unused
// when no run of a tool that reads its file matched it. An entry can only be judged
// when such a run is among the logs: lsan.supp and asan.supp by an ASan run, tsan.supp
// by a TSan run, valgrind.supp by a Valgrind run. The UBSan ignore list acts at compile
// time and leaves no trace in a run, so it is never judged.
//
// Example:
//   UsageVerdicts verdicts = JudgeUsage(parsed_files, logs, &errors);
//   for (const auto& v : verdicts.unused) std::cout << v.path << ":" << v.entry.line << "\n";
//
// Thread-safety: pure function. Failure: unreadable logs become InputErrors.
#ifndef MEMSAFE_TOOLS_SUPPRESSION_USAGE_H_
#define MEMSAFE_TOOLS_SUPPRESSION_USAGE_H_

#include <string>
#include <vector>

#include "report/report.h"
#include "suppressions/suppressions.h"

namespace memsafe::tools {

struct EntryUsage {
  std::string path;
  Entry entry;
  long matches = 0;  // how often the runs matched it
  std::string why;   // for unjudged entries: why they cannot be judged
};

struct UsageVerdicts {
  std::vector<EntryUsage> used;
  std::vector<EntryUsage> unused;
  std::vector<EntryUsage> unjudged;
};

UsageVerdicts JudgeUsage(const std::vector<ParsedFile>& files, const LogSet& logs, std::vector<InputError>* errors);

// The launcher's tool name (asan, tsan, valgrind) that reads entries of `entry_tool`
// (lsan, asan, tsan, valgrind, ubsan); empty when no run reads them.
std::string RunToolFor(const std::string& entry_tool);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_SUPPRESSION_USAGE_H_
