// Valgrind's XML reports read into findings: its errors, and the rows that are not errors (fatal signals, a failed
// new).
#include "report/report.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "common/text.h"
#include "report/report_internal.h"

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;

// Line numbers of byte offsets in one text, for many offsets: the newlines are found
// once, each lookup is a binary search (counting from the start for every error made
// reading a log of thousands of errors quadratic).
class LineIndex {
 public:
  explicit LineIndex(std::string_view content) {
    for (size_t at = content.find('\n'); at != std::string_view::npos; at = content.find('\n', at + 1)) {
      newlines_.push_back(at);
    }
  }
  int LineOf(ptrdiff_t offset) const {
    if (offset < 0) return 0;
    const auto before = std::lower_bound(newlines_.begin(), newlines_.end(), static_cast<size_t>(offset));
    return 1 + static_cast<int>(before - newlines_.begin());
  }

 private:
  std::vector<size_t> newlines_;
};

Frame ValgrindFrame(const pugi::xml_node& node) {
  Frame frame;
  frame.function = node.child_value("fn");
  frame.object = node.child_value("obj");
  const std::string dir = node.child_value("dir");
  const std::string file = node.child_value("file");
  if (!file.empty()) frame.file = dir.empty() ? file : dir + "/" + file;
  const std::string_view line = node.child_value("line");
  if (AllDigits(line)) frame.line = ToInt(line);
  return frame;
}

// A Valgrind row that is not an <error>: one stack (the element's), located as the
// others are.
Finding ValgrindStackRow(const std::string& kind, const std::string& message, const pugi::xml_node& element,
                         const LogFile& log, const ReportContext& context) {
  Finding finding;
  finding.tool = "valgrind";
  finding.kind = kind;
  finding.preset = log.preset;
  finding.log = log.path;
  finding.message = message;
  Stack stack;
  stack.title = message;
  for (const pugi::xml_node& frame : element.child("stack").children("frame"))
    stack.frames.push_back(ValgrindFrame(frame));
  finding.stacks.push_back(std::move(stack));
  Finish(finding, context);
  return finding;
}

// A process Valgrind saw die of a signal that points at a memory bug (SIGSEGV, SIGBUS,
// SIGFPE, SIGILL): a row of its own, named as the sanitizers name it (segv, bus, fpe,
// ill; a SIGSEGV in the first page is a null-pointer-use), located by its stack. Not
// when an error of the same log already stands at that place (an invalid write Valgrind
// reported just before the process died of it). Other signals (SIGABRT of a failed
// assertion, SIGTERM) fail the test without being a memory finding.
std::optional<Finding> ValgrindFatalSignal(const pugi::xml_node& signal, const LogFile& log,
                                           const ReportContext& context, const std::vector<Finding>& before) {
  static const std::map<std::string, std::string> kKinds = {
      {"SIGSEGV", "segv"}, {"SIGBUS", "bus"}, {"SIGFPE", "fpe"}, {"SIGILL", "ill"}};
  const std::string name = signal.child_value("signame");
  const auto kind = kKinds.find(name);
  if (kind == kKinds.end()) return std::nullopt;
  const std::string event = signal.child_value("event");
  const std::string address = signal.child_value("siaddr");
  const bool null_page = name == "SIGSEGV" && address.size() > 2 && address.size() <= 18 &&
                         address.rfind("0x", 0) == 0 && std::stoull(address.substr(2), nullptr, 16) < 4096;
  Finding finding = ValgrindStackRow(null_page ? "null-pointer-use" : kind->second,
                                     "Process terminating with " + name + (event.empty() ? "" : " (" + event + ")"),
                                     signal, log, context);
  for (const Finding& other : before) {
    if (other.log == finding.log && other.has_location && finding.has_location &&
        other.location.file == finding.location.file && other.location.line == finding.location.line) {
      return std::nullopt;
    }
  }
  return finding;
}

// A `new` that failed and should have thrown std::bad_alloc, which Valgrind cannot throw:
// the process aborts after two client messages, the second with the stack ("new/new[]
// failed and should throw an exception, but Valgrind" / "cannot throw exceptions and so
// is aborting instead"). A row of kind out-of-memory, as ASan and TSan name the same
// event; without it the test fails with no reason in the report.
std::optional<Finding> ValgrindFailedNew(const pugi::xml_node& message, const LogFile& log,
                                         const ReportContext& context) {
  const std::string_view text = message.child_value("text");
  if (text.find("cannot throw exceptions") == std::string_view::npos || !message.child("stack")) return std::nullopt;
  return ValgrindStackRow("out-of-memory",
                          "new failed and should have thrown std::bad_alloc; Valgrind cannot throw it and aborted",
                          message, log, context);
}

// One Valgrind <error> element as a finding of test `test`, starting at `log_line`.
Finding ValgrindErrorFinding(const pugi::xml_node& error, const LogFile& log, const std::string& test, int log_line,
                             const ReportContext& context, std::vector<InputError>* errors) {
  Finding finding;
  finding.tool = "valgrind";
  finding.test = test;
  finding.preset = log.preset;
  finding.log = log.path;
  finding.log_line = log_line;
  const pugi::xml_node xwhat = error.child("xwhat");
  finding.message = error.child("what") ? error.child_value("what") : xwhat.child_value("text");
  std::vector<std::string> auxwhat;
  std::string title = finding.message;
  for (const pugi::xml_node& child : error.children()) {
    const std::string_view name = child.name();
    if (name == "auxwhat") {
      auxwhat.emplace_back(child.child_value());
      title = child.child_value();
    } else if (name == "xauxwhat") {
      auxwhat.emplace_back(child.child_value("text"));
      title = child.child_value("text");
    } else if (name == "stack") {
      Stack stack;
      stack.title = title;
      for (const pugi::xml_node& frame : child.children("frame")) stack.frames.push_back(ValgrindFrame(frame));
      finding.stacks.push_back(std::move(stack));
    }
  }
  const std::string kind = error.child_value("kind");
  if (kind.empty()) {
    errors->push_back({log.path, finding.log_line, "Valgrind <error> without a <kind>"});
  }
  finding.kind = ValgrindKind(kind, auxwhat);
  Finish(finding, context);
  return finding;
}

}  // namespace

std::vector<Finding> ParseValgrindXml(std::string_view content, const LogFile& log, const ReportContext& context,
                                      std::vector<InputError>* errors) {
  std::vector<Finding> findings;
  const LineIndex lines(content);
  const size_t root_at = content.find("<valgrindoutput");
  if (root_at == std::string_view::npos) {
    errors->push_back({log.path, 1,
                       Trim(content).empty() ? "malformed Valgrind XML: the file is empty"
                                             : "not a Valgrind XML file (no <valgrindoutput> element)"});
    return findings;
  }
  // One top-level element at a time (Valgrind escapes '<' in text, so a tag is a tag):
  // memory stays bounded by the largest element, not the whole log, and what comes
  // before a cut or a malformed element is still read.
  //
  // A batched run (one process for all the cases of an executable, see
  // memsafe_add_test) marks each case in the log; findings between the marks belong to
  // that case. The leak check at exit repeats the leaks the per-case checks already
  // reported, so those repeats are dropped.
  constexpr std::string_view kCaseBegin = "memsafe-case-begin ";
  constexpr std::string_view kCaseEnd = "memsafe-case-end ";
  std::string current_case;
  bool after_cases = false;
  std::set<std::string> leaks_in_cases;
  size_t position = root_at;
  // The next of each tag at or after `position`, searched again only once passed:
  // searching both from every element would rescan the rest of the log for the rarer
  // one each time.
  size_t error_at = content.find("<error>", position);
  size_t message_at = content.find("<clientmsg>", position);
  size_t signal_at = content.find("<fatal_signal>", position);
  for (;;) {
    if (error_at != std::string_view::npos && error_at < position) error_at = content.find("<error>", position);
    if (message_at != std::string_view::npos && message_at < position)
      message_at = content.find("<clientmsg>", position);
    if (signal_at != std::string_view::npos && signal_at < position)
      signal_at = content.find("<fatal_signal>", position);
    const size_t start = std::min({error_at, message_at, signal_at});
    if (start == std::string_view::npos) break;
    const bool is_error = start == error_at;
    const bool is_signal = start == signal_at;
    const std::string_view tag = is_error ? "error" : is_signal ? "fatal_signal" : "clientmsg";
    const std::string close = "</" + std::string(tag) + ">";
    const size_t close_at = content.find(close, start);
    if (close_at == std::string_view::npos) {
      errors->push_back({log.path, lines.LineOf(static_cast<ptrdiff_t>(content.size())),
                         "malformed Valgrind XML: <" + std::string(tag) + "> opened on line " +
                             std::to_string(lines.LineOf(static_cast<ptrdiff_t>(start))) +
                             " is not closed before the end of the file"});
      return findings;
    }
    const size_t end = close_at + close.size();
    position = end;
    pugi::xml_document document;
    const pugi::xml_parse_result parsed =
        document.load_buffer(content.data() + start, end - start, pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) {
      errors->push_back({log.path, lines.LineOf(static_cast<ptrdiff_t>(start) + parsed.offset),
                         std::string("malformed Valgrind XML: ") + parsed.description()});
      continue;
    }
    const pugi::xml_node element = document.first_child();
    const std::string test = current_case.empty() ? log.test : log.test + "." + current_case;
    const int log_line = lines.LineOf(static_cast<ptrdiff_t>(start));
    // A fatal signal, or a client message that is a finding (a failed new): a row of its own.
    std::optional<Finding> row = is_signal  ? ValgrindFatalSignal(element, log, context, findings)
                                 : is_error ? std::nullopt
                                            : ValgrindFailedNew(element, log, context);
    if (row) {
      row->test = test;
      row->log_line = log_line;
      findings.push_back(std::move(*row));
      continue;
    }
    if (is_signal) continue;  // a signal that points at no memory bug (SIGABRT, SIGTERM)
    if (!is_error) {
      std::string_view text = Trim(element.child_value("text"));
      if (text.starts_with(kCaseBegin)) {
        current_case = std::string(Trim(text.substr(kCaseBegin.size())));
        after_cases = false;
      } else if (text.starts_with(kCaseEnd)) {
        current_case.clear();
        after_cases = true;
      }
      continue;
    }
    Finding finding = ValgrindErrorFinding(element, log, test, log_line, context, errors);
    const bool leak = finding.kind == "memory-leak" || finding.kind == "indirect-leak";
    if (leak && !current_case.empty()) leaks_in_cases.insert(finding.signature);
    if (leak && after_cases && leaks_in_cases.count(finding.signature) > 0) continue;
    findings.push_back(std::move(finding));
  }
  if (content.find("</valgrindoutput>", position) == std::string_view::npos) {
    errors->push_back({log.path, lines.LineOf(static_cast<ptrdiff_t>(content.size())),
                       "malformed Valgrind XML: the file ends before </valgrindoutput> (the run was cut short)"});
  }
  return findings;
}

}  // namespace memsafe::tools
