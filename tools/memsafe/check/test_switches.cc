#include "check/test_switches.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/text.h"

namespace memsafe::tools {
namespace {

std::string Upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

// The words of a CMake command's arguments, up to its closing parenthesis: unquoted
// words split at white space, quoted ones whole (without their quotes).
std::vector<std::string> Arguments(std::string_view text, size_t open) {
  std::vector<std::string> words;
  size_t at = open + 1;
  while (at < text.size() && text[at] != ')') {
    const char c = text[at];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++at;
    } else if (c == '#') {
      while (at < text.size() && text[at] != '\n') ++at;
    } else if (c == '"') {
      const size_t end = text.find('"', at + 1);
      if (end == std::string_view::npos) break;
      words.emplace_back(text.substr(at + 1, end - at - 1));
      at = end + 1;
    } else {
      const size_t start = at;
      while (at < text.size() && !std::isspace(static_cast<unsigned char>(text[at])) && text[at] != ')') ++at;
      words.emplace_back(text.substr(start, at - start));
    }
  }
  return words;
}

int LineOf(std::string_view text, size_t at) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

}  // namespace

bool IsTestSwitchName(std::string_view name) {
  const std::string upper = Upper(name);
  if (upper == "BUILD_TESTING") return false;
  // About how tests are built or what they use, not whether they are.
  for (const char* other : {"COVERAGE", "SYSTEM", "INSTALL", "USE_", "_USE", "FIND_", "EXTERNAL", "VERBOSE", "TIMEOUT",
                            "DISCOVER", "SANITIZ", "VALGRIND", "MEMCHECK", "FUZZ", "BENCH"}) {
    if (upper.find(other) != std::string::npos) return false;
  }
  for (const std::string word : {"TEST", "TESTS", "TESTING", "UNITTEST", "UNITTESTS"}) {
    // The word as a whole part of the name: FOO_TESTS, TESTS, BUILD_TESTS_FOO.
    for (size_t at = upper.find(word); at != std::string::npos; at = upper.find(word, at + 1)) {
      const bool starts = at == 0 || upper[at - 1] == '_';
      const bool ends = at + word.size() == upper.size() || upper[at + word.size()] == '_';
      if (starts && ends) return true;
    }
  }
  return false;
}

std::vector<TestSwitch> TestSwitchesIn(std::string_view text, const std::string& file) {
  std::vector<TestSwitch> found;
  for (size_t at = 0; at < text.size(); ++at) {
    // A command name at the start of a line (after white space), case-insensitive.
    if (at > 0 && text[at - 1] != '\n') continue;
    size_t start = at;
    while (start < text.size() && (text[start] == ' ' || text[start] == '\t')) ++start;
    size_t name_end = start;
    while (name_end < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[name_end])) || text[name_end] == '_'))
      ++name_end;
    const std::string command = Upper(text.substr(start, name_end - start));
    size_t open = name_end;
    while (open < text.size() && (text[open] == ' ' || text[open] == '\t')) ++open;
    if (open >= text.size() || text[open] != '(') continue;
    const std::vector<std::string> args = Arguments(text, open);
    if (args.empty() || !IsTestSwitchName(args[0])) continue;
    TestSwitch found_switch{args[0], "", file + ":" + std::to_string(LineOf(text, start))};
    if (command == "OPTION") {
      if (args.size() >= 3) found_switch.default_value = args[2];
    } else if (command == "CMAKE_DEPENDENT_OPTION") {
      if (args.size() >= 3) found_switch.default_value = args[2];
    } else if (command == "SET") {
      // set(NAME VALUE CACHE BOOL "doc" [FORCE])
      const auto cache = std::find(args.begin(), args.end(), "CACHE");
      if (cache == args.end() || cache + 1 == args.end() || Upper(*(cache + 1)) != "BOOL") continue;
      if (args.size() >= 2) found_switch.default_value = args[1];
    } else {
      continue;
    }
    found.push_back(std::move(found_switch));
  }
  return found;
}

std::vector<TestSwitch> FindTestSwitches(const std::vector<std::string>& files, const std::string& root) {
  std::vector<TestSwitch> all;
  std::set<std::string> seen;
  for (const std::string& path : files) {
    std::string text;
    if (!ReadWholeFile(path, &text)) continue;
    std::string relative = path;
    if (!root.empty() && relative.starts_with(root + "/")) relative.erase(0, root.size() + 1);
    for (TestSwitch& found : TestSwitchesIn(text, relative)) {
      if (seen.insert(found.name).second) all.push_back(std::move(found));
    }
  }
  return all;
}

std::string ProjectName(std::string_view text) {
  for (size_t at = 0; at < text.size(); ++at) {
    if (at > 0 && text[at - 1] != '\n') continue;
    size_t start = at;
    while (start < text.size() && (text[start] == ' ' || text[start] == '\t')) ++start;
    if (Upper(text.substr(start, 7)) != "PROJECT") continue;
    size_t open = start + 7;
    while (open < text.size() && (text[open] == ' ' || text[open] == '\t')) ++open;
    if (open >= text.size() || text[open] != '(') continue;
    const std::vector<std::string> args = Arguments(text, open);
    if (!args.empty()) return args[0];
  }
  return "";
}

SwitchChoice ChooseTestSwitches(const std::vector<TestSwitch>& found, std::string_view project_name) {
  // The project's name as words of a variable name: "yaml-cpp" -> YAML, CPP.
  const auto words_of = [](std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    for (const char c : text) {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      } else if (!word.empty()) {
        words.push_back(std::move(word));
        word.clear();
      }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
  };
  std::vector<std::string> project = words_of(project_name);
  if (!project.empty() && project.front().starts_with("LIB") && project.front().size() > 3) {
    project.push_back(project.front().substr(3));  // libfoo: FOO_TESTS is its switch too
  }
  SwitchChoice choice;
  for (const TestSwitch& candidate : found) {
    bool negative = false;
    std::string rest;
    for (const std::string& word : words_of(candidate.name)) {
      if (word == "WITHOUT" || word == "DISABLE" || word == "NO" || word == "SKIP") {
        negative = true;
        continue;
      }
      if (word == "BUILD" || word == "ENABLE" || word == "WITH") continue;
      if (std::find(project.begin(), project.end(), word) != project.end()) continue;
      rest += (rest.empty() ? "" : "_") + word;
    }
    if (rest == "TEST" || rest == "TESTS" || rest == "TESTING" || rest == "UNIT_TESTS" || rest == "UNIT_TESTING" ||
        rest == "UNITTEST" || rest == "UNITTESTS") {
      choice.set.emplace_back(candidate, negative ? "OFF" : "ON");
    } else {
      choice.left.push_back(candidate);
    }
  }
  return choice;
}

}  // namespace memsafe::tools
