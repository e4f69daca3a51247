#include "report/report_output.h"

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "common/ci_output.h"
#include "common/text.h"

namespace memsafe::tools {
namespace {

using nlohmann::json;

// What each kind means, for SARIF rules and the Markdown summary.
std::string Describe(const std::string& kind) {
  static const std::map<std::string, std::string> kDescriptions = {
      {"heap-use-after-free", "Memory is used after it was freed."},
      {"heap-buffer-overflow", "An access lies outside the bounds of a heap block."},
      {"stack-buffer-overflow", "An access lies outside the bounds of a stack object."},
      {"global-buffer-overflow", "An access lies outside the bounds of a global object."},
      {"stack-use-after-return", "A stack object is used after its function returned."},
      {"stack-use-after-scope", "A stack object is used after its scope ended."},
      {"double-free", "A block is freed twice."},
      {"bad-free", "free() or delete of a pointer that was never allocated."},
      {"alloc-dealloc-mismatch", "Memory is released with a function that does not match its allocation."},
      {"memory-leak", "A heap block is no longer reachable and was never freed."},
      {"indirect-leak", "A heap block is reachable only from leaked blocks."},
      {"possible-leak", "A heap block is reachable only through an interior pointer."},
      {"data-race", "Two threads access the same memory without synchronisation, at least one writing."},
      {"lock-order-inversion", "Two locks are taken in opposite orders: a potential deadlock."},
      {"thread-leak", "A thread was neither joined nor detached."},
      {"signed-integer-overflow", "Signed integer arithmetic overflowed (undefined behaviour)."},
      {"misaligned-pointer-use", "A pointer is used with less than its type's alignment."},
      {"null-pointer-use", "A null pointer is dereferenced or passed where it must not be."},
      {"shift-out-of-bounds", "A shift by a negative amount, by the width of the type or more, or into the sign."},
      {"integer-divide-by-zero", "Integer division by zero."},
      {"uninitialised-value", "A decision depends on memory that was never initialised."},
      {"uninitialised-syscall-param", "A system call receives uninitialised memory."},
      {"memcpy-param-overlap", "memcpy-like call with overlapping source and destination."},
      {"invalid-read", "A read from memory that is not allocated."},
      {"invalid-write", "A write to memory that is not allocated."},
      {"segv", "The process crashed on an invalid address."},
  };
  const auto it = kDescriptions.find(kind);
  return it == kDescriptions.end() ? "A memory-safety tool reported '" + kind + "'." : it->second;
}

std::string FunctionText(const Finding& finding) {
  return finding.has_location && !finding.location.function.empty() ? finding.location.function : "?";
}

std::string Title(const Group& group) {
  const Finding& f = group.first;
  return f.kind + " in " + FunctionText(f) + " (" + Join(group.tools, ", ") + "; " +
         std::to_string(group.tests.size()) + (group.tests.size() == 1 ? " test" : " tests") + ")";
}

std::string FrameText(const Frame& frame) {
  std::string text = frame.function.empty() ? "???" : frame.function;
  if (!frame.file.empty()) {
    text += " " + frame.file + ":" + std::to_string(frame.line);
  } else if (!frame.object.empty()) {
    text += " (" + frame.object + ")";
  }
  return text;
}

std::string StackText(const Finding& finding) {
  std::string text = finding.message + "\n";
  for (const Stack& stack : finding.stacks) {
    if (!stack.title.empty() && stack.title != finding.message) text += stack.title + "\n";
    for (size_t i = 0; i < stack.frames.size(); ++i) {
      text += "    #" + std::to_string(i) + " " + FrameText(stack.frames[i]) + "\n";
    }
  }
  return text;
}

std::string Pad(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

// Markdown table cells: a '|' would end the cell, a newline the row.
std::string Cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeProperty(const std::string& text) {
  std::string out;
  for (char c : EscapeWorkflowData(text)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

std::string RuleName(const std::string& kind) {
  std::string name;
  bool upper = true;
  for (char c : kind) {
    if (c == '-' || c == '_') {
      upper = true;
    } else {
      name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
  }
  return name;
}

std::string ErrorText(const InputError& error) {
  return error.file + (error.line > 0 ? ":" + std::to_string(error.line) : "") + ": " + error.message;
}

// A SARIF location: `artifact` (null when the frame has no file) plus the frame's line,
// column and function.
json SarifLocation(const json& artifact, const Frame& frame) {
  json location = json::object();
  if (!artifact.is_null()) {
    json physical = {{"artifactLocation", artifact}};
    if (frame.line > 0) {
      physical["region"] = {{"startLine", frame.line}};
      if (frame.column > 0) physical["region"]["startColumn"] = frame.column;
    }
    location["physicalLocation"] = physical;
  }
  if (!frame.function.empty()) location["logicalLocations"] = json::array({{{"fullyQualifiedName", frame.function}}});
  return location;
}

// A stack frame's file as SARIF wants it: relative to %SRCROOT% inside the project,
// an absolute file:// URI outside it.
json FrameArtifact(const Frame& frame, const ReportContext& context) {
  if (frame.file.empty()) return nullptr;
  bool inside = false;
  const std::string relative = RelativeToRoot(frame.file, context, &inside);
  if (inside) return {{"uri", relative}, {"uriBaseId", "%SRCROOT%"}};
  return {{"uri", (relative.rfind('/', 0) == 0 ? "file://" : "") + relative}};
}

// Logs are not guaranteed UTF-8 (a crashing program can print anything): invalid
// bytes become U+FFFD instead of making the serializer throw.
std::string Dump(const json& value) { return value.dump(2, ' ', false, json::error_handler_t::replace) + "\n"; }

json JsonFrame(const Frame& frame) {
  json out = {{"function", frame.function}, {"file", frame.file}, {"line", frame.line}};
  if (frame.column > 0) out["column"] = frame.column;
  if (!frame.object.empty()) out["object"] = frame.object;
  return out;
}

}  // namespace

namespace {

// "file:line", or the file alone when the tool knew the file but not the line (line 0).
std::string PlaceText(const Frame& frame) {
  return frame.file + (frame.line > 0 ? ":" + std::to_string(frame.line) : "");
}

}  // namespace

std::string LocationText(const Finding& finding) {
  if (finding.has_location) return PlaceText(finding.location);
  // A stack of bare addresses means the symbolizer could not read the binary at report
  // time (llvm-symbolizer then prints "error reading file" and TSan "global '??'"): it
  // was deleted or relinked while the program ran, or stripped. Saying so points at the
  // run, where "no frame in the project" would point at the code.
  if (finding.unsymbolized) {
    const std::string& object = finding.location.object;
    return "(not symbolized: " + (object.empty() ? std::string("the binary") : object) +
           " was removed, relinked or stripped before the report)";
  }
  return "(no frame in the project)";
}

std::string AccessText(const Finding& finding) {
  if (!finding.has_access) return {};
  const std::string access = PlaceText(finding.access);
  return finding.has_location && access == LocationText(finding) ? std::string() : access;
}

std::string FormatTable(const std::vector<Group>& groups, const ReportSummary& summary) {
  std::ostringstream out;
  size_t kind_width = 4;
  size_t location_width = 8;
  for (const Group& group : groups) {
    kind_width = std::max(kind_width, group.first.kind.size());
    location_width = std::max(location_width, LocationText(group.first).size());
  }
  out << Pad("KIND", kind_width) << "  " << Pad("LOCATION", location_width) << "  " << Pad("TOOLS", 16)
      << "  TESTS  FUNCTION\n";
  for (const Group& group : groups) {
    out << Pad(group.first.kind, kind_width) << "  " << Pad(LocationText(group.first), location_width) << "  "
        << Pad(Join(group.tools, ","), 16) << "  " << Pad(std::to_string(group.tests.size()), 5) << "  "
        << FunctionText(group.first) << "\n";
  }
  if (groups.empty()) out << "(no findings)\n";
  for (const Group& group : groups) {
    out << "\n" << group.first.kind << " at " << LocationText(group.first) << " [" << group.first.signature << "]\n";
    if (const std::string access = AccessText(group.first); !access.empty()) {
      out << "  access:  " << access << " (the bad access; the location is the nearest frame in the project)\n";
    }
    out << "  tests:   " << Join(group.tests, ", ") << "\n  presets: " << Join(group.presets, ", ")
        << "\n  log:     " << group.first.log << ":" << group.first.log_line << "\n";
  }
  out << "\nmemsafe report: " << groups.size() << " distinct finding(s) in " << summary.logs << " log file(s)";
  if (summary.canary_findings > 0) out << "; " << summary.canary_findings << " expected canary finding(s) set aside";
  if (summary.interpreter_findings > 0) {
    out << "; " << summary.interpreter_findings
        << " finding(s) of an interpreter's own code set aside (run under the tool for the project's libraries)";
  }
  if (!summary.errors.empty()) out << "; " << summary.errors.size() << " input error(s)";
  out << "\n";
  return out.str();
}

std::string FormatMarkdown(const std::vector<Group>& groups, const ReportSummary& summary) {
  std::ostringstream out;
  out << "### Memory-safety findings\n\n";
  if (groups.empty()) {
    out << "No findings in " << summary.logs << " log files";
    if (summary.canary_findings > 0) out << " (" << summary.canary_findings << " expected canary findings set aside)";
    out << ".\n";
  } else {
    out << "| kind | location | function | tools | presets | tests |\n| --- | --- | --- | --- | --- | ---: |\n";
    for (const Group& group : groups) {
      out << "| " << Cell(group.first.kind) << " | `" << Cell(LocationText(group.first)) << "` | "
          << Cell(FunctionText(group.first)) << " | " << Cell(Join(group.tools, ", ")) << " | "
          << Cell(Join(group.presets, ", ")) << " | " << group.tests.size() << " |\n";
    }
    for (const Group& group : groups) {
      out << "\n<details><summary>" << Cell(group.first.kind) << " at " << Cell(LocationText(group.first))
          << "</summary>\n\nTests: " << Cell(Join(group.tests, ", ")) << "\n\n```text\n"
          << StackText(group.first) << "```\n</details>\n";
    }
  }
  if (!summary.errors.empty()) {
    out << "\n**Input errors** (reports that could not be read whole):\n\n";
    for (const InputError& error : summary.errors) out << "- `" << Cell(ErrorText(error)) << "`\n";
  }
  return out.str();
}

std::string FormatJunit(const std::vector<Group>& groups) {
  pugi::xml_document document;
  pugi::xml_node declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  pugi::xml_node suites = document.append_child("testsuites");
  pugi::xml_node suite = suites.append_child("testsuite");
  suite.append_attribute("name") = "memsafe.findings";
  suite.append_attribute("tests") = static_cast<unsigned>(groups.size());
  suite.append_attribute("failures") = static_cast<unsigned>(groups.size());
  suite.append_attribute("errors") = 0;
  for (const Group& group : groups) {
    pugi::xml_node testcase = suite.append_child("testcase");
    testcase.append_attribute("classname") = ("memsafe." + group.first.kind).c_str();
    testcase.append_attribute("name") = (LocationText(group.first) + " " + FunctionText(group.first)).c_str();
    if (group.first.has_location) {
      testcase.append_attribute("file") = group.first.location.file.c_str();
      testcase.append_attribute("line") = group.first.location.line;
    }
    pugi::xml_node failure = testcase.append_child("failure");
    failure.append_attribute("type") = group.first.kind.c_str();
    failure.append_attribute("message") = Title(group).c_str();
    failure.append_child(pugi::node_pcdata)
        .set_value(("tests: " + Join(group.tests, ", ") + "\n\n" + StackText(group.first)).c_str());
  }
  std::ostringstream out;
  document.save(out, "  ");
  return out.str();
}

std::string FormatSarif(const std::vector<Group>& groups, const ReportContext& context) {
  json rules = json::array();
  std::map<std::string, int> rule_index;
  json results = json::array();
  for (const Group& group : groups) {
    const Finding& finding = group.first;
    if (!rule_index.count(finding.kind)) {
      rule_index[finding.kind] = static_cast<int>(rules.size());
      rules.push_back(
          {{"id", finding.kind},
           {"name", RuleName(finding.kind)},
           {"shortDescription", {{"text", Describe(finding.kind)}}},
           {"fullDescription",
            {{"text", Describe(finding.kind) + " Reported by a sanitizer or Valgrind while the tests ran."}}},
           {"defaultConfiguration", {{"level", "error"}}},
           {"properties", {{"tags", {"memory-safety", "security"}}}}});
    }
    json result = {{"ruleId", finding.kind},
                   {"ruleIndex", rule_index[finding.kind]},
                   {"level", "error"},
                   {"message", {{"text", Title(group) + ": " + finding.message}}},
                   {"partialFingerprints", {{"memsafeSignature/v1", finding.signature}}},
                   {"properties", {{"tools", group.tools}, {"presets", group.presets}, {"tests", group.tests}}}};
    if (finding.has_location) {
      // The location's file is already relative to the project root.
      const json artifact = {{"uri", finding.location.file}, {"uriBaseId", "%SRCROOT%"}};
      result["locations"] = json::array({SarifLocation(artifact, finding.location)});
    }
    json stacks = json::array();
    for (const Stack& stack : finding.stacks) {
      json frames = json::array();
      for (const Frame& frame : stack.frames)
        frames.push_back({{"location", SarifLocation(FrameArtifact(frame, context), frame)}});
      if (frames.empty()) continue;
      json entry = {{"frames", frames}};
      if (!stack.title.empty()) entry["message"] = {{"text", stack.title}};
      stacks.push_back(entry);
    }
    if (!stacks.empty()) result["stacks"] = stacks;
    results.push_back(result);
  }
  json run = {{"tool",
               {{"driver",
                 {{"name", "memsafe"},
                  {"informationUri", "https://github.com/memsafe/memsafe"},
                  {"semanticVersion", MEMSAFE_VERSION},
                  {"rules", rules}}}}},
              {"results", results},
              {"columnKind", "unicodeCodePoints"}};
  if (!context.root.empty()) run["originalUriBaseIds"] = {{"%SRCROOT%", {{"uri", "file://" + context.root}}}};
  const json log = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}, {"runs", json::array({run})}};
  return Dump(log);
}

std::string FormatJson(const std::vector<Group>& groups, const ReportSummary& summary) {
  json findings = json::array();
  for (const Group& group : groups) {
    const Finding& f = group.first;
    json stacks = json::array();
    for (const Stack& stack : f.stacks) {
      json frames = json::array();
      for (const Frame& frame : stack.frames) frames.push_back(JsonFrame(frame));
      stacks.push_back({{"title", stack.title}, {"frames", frames}});
    }
    json item = {{"signature", f.signature},
                 {"kind", f.kind},
                 {"message", f.message},
                 {"tools", group.tools},
                 {"presets", group.presets},
                 {"tests", group.tests},
                 {"occurrences", group.occurrences},
                 {"log", f.log},
                 {"log_line", f.log_line},
                 {"complete", f.complete},
                 {"stacks", stacks}};
    item["location"] = f.has_location ? JsonFrame(f.location) : json(nullptr);
    item["access"] = f.has_access ? JsonFrame(f.access) : json(nullptr);
    item["messages"] = group.message_by_tool;
    findings.push_back(item);
  }
  json errors = json::array();
  for (const InputError& error : summary.errors) {
    errors.push_back({{"file", error.file}, {"line", error.line}, {"message", error.message}});
  }
  const json out = {{"findings", findings},
                    {"logs", summary.logs},
                    {"canary_findings", summary.canary_findings},
                    {"interpreter_findings", summary.interpreter_findings},
                    {"errors", errors}};
  return Dump(out);
}

std::string FormatAnnotations(const std::vector<Group>& groups) {
  std::string out;
  for (const Group& group : groups) {
    out += "::error ";
    if (group.first.has_location) {
      out += "file=" + EscapeProperty(group.first.location.file) +
             ",line=" + std::to_string(group.first.location.line) + ",";
    }
    out += "title=" + EscapeProperty("memsafe: " + group.first.kind) +
           "::" + EscapeWorkflowData(Title(group) + "\n" + StackText(group.first)) + "\n";
  }
  return out;
}

namespace {

std::vector<ReportFormat>& Registry() {
  static std::vector<ReportFormat> formats = {
      {"markdown", "Write a Markdown summary", "findings.md",
       [](const ReportInput& in) { return FormatMarkdown(in.groups, in.summary); }},
      {"junit", "Write JUnit XML, one failing test case per finding", "findings.junit.xml",
       [](const ReportInput& in) { return FormatJunit(in.groups); }},
      {"sarif", "Write SARIF 2.1.0 for code scanning", "findings.sarif",
       [](const ReportInput& in) { return FormatSarif(in.groups, in.context); }},
      {"json", "Write the findings as JSON", "findings.json",
       [](const ReportInput& in) { return FormatJson(in.groups, in.summary); }},
  };
  return formats;
}

}  // namespace

const std::vector<ReportFormat>& ReportFormats() { return Registry(); }

void RegisterReportFormat(ReportFormat format) { Registry().push_back(std::move(format)); }

}  // namespace memsafe::tools
