#include "case_rerun.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "text.h"

namespace memsafe::tools {
namespace {

constexpr std::string_view kHeader = "[==========] Running ";
constexpr std::string_view kRun = "[ RUN      ] ";
constexpr std::string_view kFinished[] = {"[       OK ] ", "[  FAILED  ] ", "[  SKIPPED ] "};

// "Suite.Case (3 ms)" -> "Suite.Case"
std::string_view CaseName(std::string_view rest) { return rest.substr(0, rest.find(' ')); }

}  // namespace

std::optional<std::vector<std::string>> NextCaseRun(const CaseRunInput& input, std::string* why) {
  int total = -1;
  std::vector<std::string> ran;
  std::set<std::string, std::less<>> seen;
  std::string unfinished;  // the latest run's case that started and never ended
  size_t at = 0;
  for (std::string_view line : SplitLines(input.output)) {
    const bool latest = at >= input.last_run_at;
    at += line.size() + 1;
    if (line.starts_with(kHeader) && total < 0) {
      // "[==========] Running 12 tests from 3 test suites.": the first run's, all the cases.
      const std::string_view count = line.substr(kHeader.size());
      int value = 0;
      if (std::from_chars(count.data(), count.data() + count.size(), value).ec == std::errc()) total = value;
    } else if (line.starts_with(kRun)) {
      const std::string name(CaseName(line.substr(kRun.size())));
      if (seen.insert(name).second) ran.push_back(name);
      if (latest) unfinished = name;
    } else if (latest && !unfinished.empty()) {
      for (std::string_view marker : kFinished) {
        if (line.starts_with(marker) && CaseName(line.substr(marker.size())) == unfinished) unfinished.clear();
      }
    }
  }
  if (total < 0) {
    *why = "not GoogleTest's output (Catch2 and doctest print no case as it starts)";
    return std::nullopt;
  }
  if (unfinished.empty()) {
    *why = "the run did not stop inside a case";
    return std::nullopt;
  }
  if (static_cast<int>(ran.size()) >= total) {
    *why = "every case ran";
    return std::nullopt;
  }
  std::string filter = input.env_filter != nullptr ? input.env_filter : "";
  std::vector<std::string> next;
  for (const std::string& arg : input.argv) {
    if (arg.starts_with("--gtest_repeat=") && arg != "--gtest_repeat=1") {
      *why = "the command repeats its cases (" + arg + ")";
      return std::nullopt;
    }
    if (arg.starts_with("--gtest_filter=")) {
      filter = arg.substr(std::string_view("--gtest_filter=").size());
    } else {
      next.push_back(arg);
    }
  }
  if (input.sharded) {
    // The cases left would be spread over the shards anew: some would run in none.
    *why = "the cases are sharded (GTEST_TOTAL_SHARDS)";
    return std::nullopt;
  }
  // GoogleTest's filter is POSITIVE[-NEGATIVE]; the cases that ran join the negative part.
  const size_t dash = filter.find('-');
  std::string positive = filter.substr(0, dash);
  std::string negative = dash == std::string::npos ? "" : filter.substr(dash + 1);
  if (positive.empty()) positive = "*";
  next.push_back("--gtest_filter=" + positive + "-" + negative + (negative.empty() ? "" : ":") + Join(ran, ":"));
  *why = "stopped in " + unfinished + " after " + std::to_string(ran.size()) + " of " + std::to_string(total) +
         " cases";
  return next;
}

}  // namespace memsafe::tools
