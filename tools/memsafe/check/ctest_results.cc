#include "check/ctest_results.h"

#include <cstdlib>
#include <filesystem>

#include <pugixml.hpp>

#include "common/text.h"

namespace memsafe::tools {

namespace fs = std::filesystem;

namespace {

std::string Measurement(const pugi::xml_node& results, const char* name) {
  for (const pugi::xml_node& measurement : results.children("NamedMeasurement")) {
    if (std::string_view(measurement.attribute("name").value()) == name) return measurement.child_value("Value");
  }
  return {};
}

TestOutcome FailedOutcome(const std::string& exit_code, const std::string& output) {
  if (exit_code == "Timeout") return TestOutcome::kTimeout;
  // The launcher stops a hung test itself, before CTest's limit, and says so.
  if (output.find("memsafe: TIMEOUT:") != std::string::npos) return TestOutcome::kTimeout;
  if (exit_code.empty() || exit_code == "Failed") return TestOutcome::kFailed;
  return TestOutcome::kCrashed;
}

}  // namespace

std::string_view OutcomeName(TestOutcome outcome) {
  switch (outcome) {
    case TestOutcome::kPassed:
      return "passed";
    case TestOutcome::kFailed:
      return "failed";
    case TestOutcome::kTimeout:
      return "timeout";
    case TestOutcome::kCrashed:
      return "crashed";
    case TestOutcome::kSkipped:
      return "skipped";
    case TestOutcome::kDisabled:
      return "disabled";
    case TestOutcome::kNotRun:
      return "not run";
  }
  return "unknown";
}

std::optional<std::vector<TestResult>> ParseCtestTestXml(std::string_view content, std::string* error) {
  pugi::xml_document document;
  const pugi::xml_parse_result parsed = document.load_buffer(content.data(), content.size());
  if (!parsed) {
    *error = std::string("malformed CTest XML: ") + parsed.description();
    return std::nullopt;
  }
  const pugi::xml_node testing = document.child("Site").child("Testing");
  if (!testing) {
    *error = "not a CTest Test.xml (no <Site><Testing>)";
    return std::nullopt;
  }
  std::vector<TestResult> results;
  for (const pugi::xml_node& test : testing.children("Test")) {
    TestResult result;
    result.name = test.child_value("Name");
    result.command = test.child_value("FullCommandLine");
    const pugi::xml_node measurements = test.child("Results");
    const std::string status = test.attribute("Status").value();
    const std::string exit_code = Measurement(measurements, "Exit Code");
    const std::string completion = Measurement(measurements, "Completion Status");
    result.exit_value = std::atoi(Measurement(measurements, "Exit Value").c_str());
    result.seconds = std::atof(Measurement(measurements, "Execution Time").c_str());
    const std::string output = measurements.child("Measurement").child_value("Value");
    for (const pugi::xml_node& label : test.child("Labels").children("Label"))
      result.labels.push_back(label.child_value());
    if (status == "passed") {
      result.outcome = TestOutcome::kPassed;
    } else if (status == "failed") {
      result.outcome = FailedOutcome(exit_code, output);
      result.detail = exit_code;
    } else if (status == "notrun") {
      result.detail = completion;
      if (completion == "Disabled") {
        result.outcome = TestOutcome::kDisabled;
      } else if (completion.rfind("SKIP_", 0) == 0) {
        result.outcome = TestOutcome::kSkipped;
      } else {
        result.outcome = TestOutcome::kNotRun;
      }
    } else {
      *error = "test '" + result.name + "' has an unknown status '" + status + "'";
      return std::nullopt;
    }
    result.canary = result.name.rfind("canary.", 0) == 0;
    for (const std::string& label : result.labels) result.canary = result.canary || label == "canary";
    results.push_back(std::move(result));
  }
  return results;
}

std::vector<std::string> CommandWords(const std::string& command) {
  std::vector<std::string> words;
  for (size_t i = 0; i < command.size();) {
    if (command[i] == ' ') {
      ++i;
    } else if (command[i] == '"') {
      const size_t end = command.find('"', i + 1);
      words.push_back(command.substr(i + 1, end == std::string::npos ? std::string::npos : end - i - 1));
      i = end == std::string::npos ? command.size() : end + 1;
    } else {
      const size_t end = command.find(' ', i);
      words.push_back(command.substr(i, end == std::string::npos ? std::string::npos : end - i));
      i = end == std::string::npos ? command.size() : end;
    }
  }
  return words;
}

ResultCounts CountResults(const std::vector<TestResult>& results) {
  ResultCounts counts;
  for (const TestResult& result : results) {
    const bool started = result.outcome == TestOutcome::kPassed || result.outcome == TestOutcome::kFailed ||
                         result.outcome == TestOutcome::kTimeout || result.outcome == TestOutcome::kCrashed;
    counts.run += started ? 1 : 0;
    if (result.canary && started) {
      ++counts.canaries;
      counts.caught += result.outcome == TestOutcome::kPassed ? 1 : 0;
    }
    switch (result.outcome) {
      case TestOutcome::kPassed:
        break;
      case TestOutcome::kSkipped:
      case TestOutcome::kDisabled:
        ++counts.skipped;
        counts.skipped_names.push_back(result.name);
        break;
      case TestOutcome::kFailed:
      case TestOutcome::kTimeout:
      case TestOutcome::kCrashed:
      case TestOutcome::kNotRun: {
        ++counts.failed;
        counts.timeouts += result.outcome == TestOutcome::kTimeout ? 1 : 0;
        counts.crashes += result.outcome == TestOutcome::kCrashed ? 1 : 0;
        counts.not_run += result.outcome == TestOutcome::kNotRun ? 1 : 0;
        std::string name = result.name;
        if (result.outcome != TestOutcome::kFailed) {
          name += " (" + std::string(OutcomeName(result.outcome));
          if (result.outcome == TestOutcome::kCrashed && !result.detail.empty()) name += ": " + result.detail;
          name += ")";
        }
        counts.failed_names.push_back(name);
        break;
      }
    }
  }
  return counts;
}

std::optional<std::vector<TestResult>> LatestCtestResults(const std::string& binary_dir, std::string* error) {
  const fs::path dir(binary_dir);
  std::string tag;
  if (!ReadWholeFile((dir / "Testing" / "TAG").string(), &tag)) {
    *error = "no CTest results in " + binary_dir;
    return std::nullopt;
  }
  tag = tag.substr(0, tag.find('\n'));
  const fs::path xml = dir / "Testing" / tag / "Test.xml";
  std::string content, why;
  if (!ReadWholeFile(xml.string(), &content, &why)) {
    *error = xml.string() + ": " + why;
    return std::nullopt;
  }
  std::optional<std::vector<TestResult>> results = ParseCtestTestXml(content, error);
  if (!results) *error = xml.string() + ": " + *error;
  return results;
}

}  // namespace memsafe::tools
