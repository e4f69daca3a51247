#include "case_rerun.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "common/text.h"

namespace memsafe::tools {
namespace {

constexpr std::string_view kHeader = "[==========] Running ";
constexpr std::string_view kRun = "[ RUN      ] ";
constexpr std::string_view kFinished[] = {"[       OK ] ", "[  FAILED  ] ", "[  SKIPPED ] "};

// Calls f(offset, line) for each line of `text`, the offset counted in `text` itself (a
// "\r\n" ending is two bytes there, though the line leaves both out).
template <typename F>
void ForEachLine(std::string_view text, F f) {
  size_t at = 0;
  while (at < text.size()) {
    const size_t newline = text.find('\n', at);
    std::string_view line = text.substr(at, newline == std::string_view::npos ? std::string_view::npos : newline - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(at, line);
    if (newline == std::string_view::npos) break;
    at = newline + 1;
  }
}

// "Suite.Case (3 ms)" -> "Suite.Case"
std::string_view CaseName(std::string_view rest) { return rest.substr(0, rest.find(' ')); }

bool NoNewCase(const std::vector<std::string>& ran, const std::vector<std::string>& ran_before, std::string* why) {
  if (ran_before.empty() || ran.size() > ran_before.size()) return false;
  // A wrapper that drops the filter, a spec the exclusions cannot narrow: the same cases
  // again would only repeat their findings.
  *why = "no case ran that had not run before";
  return true;
}

}  // namespace

std::optional<CaseRun> NextCaseRun(const CaseRunInput& input, std::string* why) {
  int total = -1;
  CaseRun next;
  std::set<std::string, std::less<>> seen;
  std::string open;  // the case running now; a "[ RUN ]" line while one runs is a child's
  bool latest_seen = false;
  ForEachLine(input.output, [&](size_t at, std::string_view line) {
    if (at >= input.last_run_at && !latest_seen) {
      latest_seen = true;
      open.clear();  // an earlier run's case left open is not the latest run's
    }
    if (!open.empty()) {
      for (std::string_view marker : kFinished) {
        if (line.starts_with(marker) && CaseName(line.substr(marker.size())) == open) open.clear();
      }
      return;
    }
    if (line.starts_with(kHeader) && total < 0) {
      // "[==========] Running 12 tests from 3 test suites.": the first run's, all the cases.
      const std::string_view count = line.substr(kHeader.size());
      int value = 0;
      if (std::from_chars(count.data(), count.data() + count.size(), value).ec == std::errc()) total = value;
    } else if (line.starts_with(kRun) && total >= 0) {
      open = std::string(CaseName(line.substr(kRun.size())));
      if (seen.insert(open).second) next.ran.push_back(open);
    }
  });
  if (total < 0) {
    *why = "not GoogleTest's output";
    return std::nullopt;
  }
  if (!latest_seen || open.empty()) {
    *why = "the run did not stop inside a case";
    return std::nullopt;
  }
  if (static_cast<int>(next.ran.size()) >= total) {
    *why = "every case ran";
    return std::nullopt;
  }
  if (NoNewCase(next.ran, input.ran_before, why)) return std::nullopt;
  if (input.sharded) {
    // The cases left would be spread over the shards anew: some would run in none.
    *why = "the cases are sharded (GTEST_TOTAL_SHARDS)";
    return std::nullopt;
  }
  std::string filter = input.env_filter != nullptr ? input.env_filter : "";
  bool wants_output = input.env_output;
  for (const std::string& arg : input.argv) {
    if (arg.starts_with("--gtest_repeat=") && arg != "--gtest_repeat=1") {
      *why = "the command repeats its cases (" + arg + ")";
      return std::nullopt;
    }
    if (arg.starts_with("--gtest_filter=")) {
      filter = arg.substr(std::string_view("--gtest_filter=").size());
    } else if (arg.starts_with("--gtest_output=")) {
      wants_output = true;
    } else {
      next.argv.push_back(arg);
    }
  }
  // GoogleTest's filter is POSITIVE[-NEGATIVE]; the cases that ran join the negative part.
  const size_t dash = filter.find('-');
  std::string positive = filter.substr(0, dash);
  const std::string negative = dash == std::string::npos ? "" : filter.substr(dash + 1);
  if (positive.empty()) positive = "*";
  next.argv.push_back("--gtest_filter=" + positive + "-" + negative + (negative.empty() ? "" : ":") +
                      Join(next.ran, ":"));
  // The XML the command asked for would hold the rerun's cases only, the stopped one
  // missing: a rerun writes its own.
  if (wants_output && !input.private_output.empty()) {
    next.argv.push_back("--gtest_output=xml:" + input.private_output);
  }
  *why = "stopped in " + open + " after " + std::to_string(next.ran.size()) + " of " + std::to_string(total) +
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
  ForEachLine(xml, [&](size_t, std::string_view line) {
    const size_t at = line.find(kStart);
    if (at != std::string_view::npos) {
      const std::string_view rest = line.substr(at + kStart.size());
      const size_t quote = rest.find('"');
      if (quote == std::string_view::npos || rest.ends_with("/>")) return;  // skipped by a filter
      started->push_back(XmlText(rest.substr(0, quote)));
      *unfinished = started->back();
    } else if (line.find("</TestCase>") != std::string_view::npos) {
      unfinished->clear();
    }
  });
}

// Catch2's test spec: a name in quotes, with its special characters escaped. (A leading
// or trailing '*' still matches as a wildcard: a few cases more are left out.)
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

// The command without Catch2's reporter and output options: Catch2 refuses one given
// twice, and the rerun's reporter writes memsafe's file (the command's own report would
// hold the rerun's cases only).
std::vector<std::string> WithoutCatch2Reporter(const std::vector<std::string>& argv) {
  std::vector<std::string> kept;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (i > 0 && (arg == "-r" || arg == "--reporter" || arg == "-o" || arg == "--out")) {
      ++i;  // and its value
      continue;
    }
    if (i > 0 && (arg.starts_with("--reporter=") || arg.starts_with("--out=") || arg.starts_with("-r=") ||
                  arg.starts_with("-o="))) {
      continue;
    }
    kept.push_back(arg);
  }
  return kept;
}

// doctest takes the last of an option given twice: the command's exclusions and the
// rerun's go into one.
std::vector<std::string> WithDoctestExclusions(const std::vector<std::string>& argv,
                                               const std::vector<std::string>& ran) {
  std::vector<std::string> out, patterns;
  for (const std::string& arg : argv) {
    bool exclusion = false;
    for (std::string_view option : {"--test-case-exclude=", "-tce=", "--dt-test-case-exclude=", "-dt-tce="}) {
      if (arg.starts_with(option)) {
        patterns.push_back(arg.substr(option.size()));
        exclusion = true;
      }
    }
    if (!exclusion) out.push_back(arg);
  }
  for (const std::string& name : ran) patterns.push_back(DoctestPattern(name));
  out.push_back("--test-case-exclude=" + Join(patterns, ","));
  return out;
}

}  // namespace

CaseFramework FrameworkOfProgram(std::string_view program_bytes) {
  if (program_bytes.find("dt-test-case-exclude=") != std::string_view::npos) return CaseFramework::kDoctest;
  if (program_bytes.find("A Catch2 test executable") != std::string_view::npos) return CaseFramework::kCatch2;
  return CaseFramework::kNone;
}

std::optional<CaseRun> NextXmlCaseRun(const XmlCaseRunInput& input, std::string* why) {
  const bool doctest = input.framework == CaseFramework::kDoctest;
  if (input.framework == CaseFramework::kNone) {
    *why = "neither GoogleTest, Catch2 nor doctest";
    return std::nullopt;
  }
  if (!doctest) {
    for (size_t i = 1; i < input.argv.size(); ++i) {
      // "A,B": each alternative of a spec is narrowed apart (exclusions join only the last).
      for (size_t at = input.argv[i].find(','); at != std::string::npos; at = input.argv[i].find(',', at + 1)) {
        if (at == 0 || input.argv[i][at - 1] != '\\') {
          *why = "the command's test spec has alternatives (" + input.argv[i] + ")";
          return std::nullopt;
        }
      }
    }
  }
  CaseRun next{doctest ? input.argv : WithoutCatch2Reporter(input.argv), input.ran_before};
  const std::vector<std::string> reporter =
      doctest ? std::vector<std::string>{"--reporters=xml", "--out=" + input.progress_path}
              : std::vector<std::string>{"-r", "xml", "-o", input.progress_path};
  if (!input.progress) {
    // The summary each prints at the end of a whole run (a leak reported at exit comes
    // after it): then every case ran.
    bool summary = false;
    ForEachLine(input.first_output, [&](size_t, std::string_view line) {
      summary = summary || line.starts_with("[doctest] Status: ") || line.starts_with("All tests passed (") ||
                line.starts_with("test cases: ");
    });
    if (summary) {
      *why = "every case ran";
      return std::nullopt;
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
  if (NoNewCase(next.ran, input.ran_before, why)) return std::nullopt;
  if (doctest) {
    next.argv = WithDoctestExclusions(next.argv, next.ran);
  } else {
    // Hidden cases ("[.]") run when a spec only excludes: left out, unless the command
    // selects hidden cases by their tags.
    const bool selects_hidden = std::any_of(input.argv.begin() + 1, input.argv.end(), [](const std::string& arg) {
      return arg.find("[.") != std::string::npos || arg.find("[!hide]") != std::string::npos ||
             arg.find("[hide]") != std::string::npos;
    });
    if (!selects_hidden) next.argv.push_back("~[.]");
    for (const std::string& name : next.ran) next.argv.push_back(Catch2Exclusion(name));
  }
  next.argv.insert(next.argv.end(), reporter.begin(), reporter.end());
  *why = "stopped in '" + unfinished + "' after " + std::to_string(next.ran.size()) +
         " case(s): running the cases not run yet, for what they find";
  return next;
}

}  // namespace memsafe::tools
