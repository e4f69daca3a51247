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
         " cases: running the cases not run yet, for what they find";
  return next;
}

namespace {

// "a &quot;b&quot; &amp; c" -> "a \"b\" & c"
std::string XmlText(std::string_view text) {
  static const std::pair<std::string_view, char> kEntities[] = {
      {"&quot;", '"'}, {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&apos;", '\''}};
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    bool replaced = false;
    for (const auto& [entity, c] : kEntities) {
      if (text.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i];
  }
  return out;
}

// The cases a reporter's XML shows started, in order, and the one that never ended.
// Both reporters write a case's start tag on a line of its own and flush it; doctest
// lists a case its filters left out as `<TestCase ... skipped="true"/>`.
void StartedCases(std::string_view xml, std::vector<std::string>* started, std::string* unfinished) {
  constexpr std::string_view kStart = "<TestCase name=\"";
  for (std::string_view line : SplitLines(xml)) {
    const size_t at = line.find(kStart);
    if (at != std::string_view::npos) {
      const std::string_view rest = line.substr(at + kStart.size());
      const size_t quote = rest.find('"');
      if (quote == std::string_view::npos) continue;
      if (rest.ends_with("/>")) continue;  // skipped by a filter, not run
      started->push_back(XmlText(rest.substr(0, quote)));
      *unfinished = started->back();
    } else if (line.find("</TestCase>") != std::string_view::npos) {
      unfinished->clear();
    }
  }
}

// Catch2's test spec: a name in quotes, with its special characters escaped.
std::string Catch2Exclusion(const std::string& name) {
  std::string out = "~\"";
  for (char c : name) {
    if (std::string_view("\\\",[]*~").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out + "\"";
}

// doctest's filters split on commas and know no escape: a comma matches as '?'.
std::string DoctestPattern(std::string name) {
  std::replace(name.begin(), name.end(), ',', '?');
  return name;
}

}  // namespace

CaseFramework FrameworkOfProgram(std::string_view program_bytes) {
  if (program_bytes.find("dt-test-case-exclude=") != std::string_view::npos) return CaseFramework::kDoctest;
  if (program_bytes.find("A Catch2 test executable") != std::string_view::npos) return CaseFramework::kCatch2;
  return CaseFramework::kNone;
}

std::optional<XmlCaseRun> NextXmlCaseRun(const XmlCaseRunInput& input, std::string* why) {
  const bool doctest = input.framework == CaseFramework::kDoctest;
  if (input.framework == CaseFramework::kNone) {
    *why = "neither GoogleTest, Catch2 nor doctest";
    return std::nullopt;
  }
  XmlCaseRun next{input.argv, input.ran_before};
  const std::vector<std::string> reporter =
      doctest ? std::vector<std::string>{"--reporters=xml", "--out=" + input.progress_path}
              : std::vector<std::string>{"-r", "xml", "-o", input.progress_path};
  if (!input.progress) {
    // The summary each prints at the end of a whole run (a leak reported at exit comes
    // after it): then every case ran.
    for (std::string_view line : SplitLines(input.first_output)) {
      if (line.starts_with("[doctest] Status: ") || line.starts_with("All tests passed (") ||
          line.starts_with("test cases: ")) {
        *why = "every case ran";
        return std::nullopt;
      }
    }
    next.argv.insert(next.argv.end(), reporter.begin(), reporter.end());
    *why = std::string("stopped before its summary: running it again with ") + (doctest ? "doctest" : "Catch2") +
           "'s XML reporter, which says in which case";
    return next;
  }
  std::vector<std::string> started;
  std::string unfinished;
  StartedCases(*input.progress, &started, &unfinished);
  if (started.empty()) {
    *why = "every case ran";
    return std::nullopt;
  }
  if (unfinished.empty()) {
    *why = "the run did not stop inside a case";
    return std::nullopt;
  }
  for (const std::string& name : started) {
    if (std::find(next.ran.begin(), next.ran.end(), name) == next.ran.end()) next.ran.push_back(name);
  }
  if (doctest) {
    std::vector<std::string> patterns;
    for (const std::string& name : next.ran) patterns.push_back(DoctestPattern(name));
    next.argv.push_back("--test-case-exclude=" + Join(patterns, ","));
  } else {
    // Hidden cases ("[.]") run when a spec only excludes: left out again unless the
    // command gives specs of its own.
    if (input.argv.size() == 1) next.argv.push_back("~[.]");
    for (const std::string& name : next.ran) next.argv.push_back(Catch2Exclusion(name));
  }
  next.argv.insert(next.argv.end(), reporter.begin(), reporter.end());
  *why = "stopped in '" + unfinished + "' after " + std::to_string(next.ran.size()) +
         " case(s): running the cases not run yet, for what they find";
  return next;
}

}  // namespace memsafe::tools
