#include "suppressions/suppression_usage.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/memory_tools.h"

namespace memsafe::tools {

std::string RunToolFor(const std::string& entry_tool) {
  const MemoryTool* tool = FindMemoryTool(entry_tool);
  return tool == nullptr ? "" : std::string(tool->suppressions_reported_by);
}

UsageVerdicts JudgeUsage(const std::vector<ParsedFile>& files, const LogSet& logs, std::vector<InputError>* errors) {
  std::set<std::string> tools_run;
  for (const auto& [preset, tools] : logs.tools_by_preset) tools_run.insert(tools.begin(), tools.end());

  // "<run tool>\n<pattern>" -> matches
  std::map<std::string, long> matched;
  for (const LogFile& log : logs.files) {
    std::string text;
    if (std::string why; !ReadLogContent(log.path, &text, &why)) {
      errors->push_back({log.path, 0, why});
      continue;
    }
    for (const SuppressionUse& use : ParseSuppressionsUsed(text, log)) {
      matched[log.tool + "\n" + use.pattern] += use.count;
    }
  }

  UsageVerdicts verdicts;
  for (const ParsedFile& file : files) {
    for (const Entry& entry : file.entries) {
      EntryUsage usage{file.path, entry, 0, ""};
      const std::string run_tool = RunToolFor(entry.tool);
      if (run_tool.empty()) {
        usage.why = entry.tool == "ubsan" ? "the UBSan ignore list acts at compile time; runs do not report its use"
                                          : "no memory tool reads this file";
        verdicts.unjudged.push_back(std::move(usage));
        continue;
      }
      if (!tools_run.count(run_tool)) {
        usage.why = "no " + run_tool + " run among the logs";
        verdicts.unjudged.push_back(std::move(usage));
        continue;
      }
      const auto it = matched.find(run_tool + "\n" + entry.text);
      usage.matches = it == matched.end() ? 0 : it->second;
      (usage.matches > 0 ? verdicts.used : verdicts.unused).push_back(std::move(usage));
    }
  }
  return verdicts;
}

}  // namespace memsafe::tools
