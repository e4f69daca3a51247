// Where a finding enters the project's own code, its signature, and one row per signature.
#include "report/report.h"

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

// The hash seed findings' signatures have always used (not FNV's standard offset basis):
// kept, because a new seed would renumber every finding's fingerprint in SARIF and so
// in code scanning's history.
constexpr uint64_t kSignatureSeed = 1469598103934665603ULL;

// Kinds that tools name differently for one bug: an access out of bounds is UBSan's
// array-index-out-of-bounds when its bounds check fires first, and ASan's
// heap/stack/global-buffer-overflow otherwise. A read of memory that holds no value of
// the program (a returned function's frame, a vector's spare capacity) is ASan's
// stack-use-after-return or container-overflow, and Valgrind's uninitialised value where
// the bytes are used (measured on tests/detection: the same line in both compilers'
// builds).
std::string KindClass(const std::string& kind) {
  for (const char* out_of_bounds :
       {"heap-buffer-overflow", "stack-buffer-overflow", "global-buffer-overflow", "array-index-out-of-bounds"}) {
    if (kind == out_of_bounds) return "out-of-bounds";
  }
  for (const char* no_value :
       {"stack-use-after-return", "stack-use-after-scope", "container-overflow", "uninitialised-value"}) {
    if (kind == no_value) return "read-without-a-value";
  }
  return kind;
}

// Where a stack enters the project: its first frame under the root, as "file:line" (a
// frame whose line is unknown, as Clang's TSan gives some, adds its function); "" when
// the stack never passes through the project.
std::string ProjectPlace(const Stack& stack, const ReportContext& context) {
  for (const Frame& frame : stack.frames) {
    if (frame.file.empty()) continue;
    bool inside = false;
    const std::string relative = RelativeToRoot(frame.file, context, &inside);
    if (!inside) continue;
    return relative + ":" + std::to_string(frame.line) + (frame.line > 0 ? "" : " " + ShortName(frame.function));
  }
  return {};
}

}  // namespace

// The first project frame of the first stack that has frames: that stack locates the
// bug; the others say where the memory came from.
void Locate(Finding& finding, const ReportContext& context) {
  const auto stack =
      std::find_if(finding.stacks.begin(), finding.stacks.end(), [](const Stack& s) { return !s.frames.empty(); });
  if (stack == finding.stacks.end()) return;
  finding.unsymbolized = std::all_of(stack->frames.begin(), stack->frames.end(),
                                     [](const Frame& f) { return f.function.empty() && f.file.empty(); });
  // Only the binary is known then; the location keeps it for the report's wording.
  if (finding.unsymbolized) finding.location.object = stack->frames.front().object;
  for (const Frame& frame : stack->frames) {
    if (frame.file.empty()) continue;
    bool inside = false;
    std::string relative = RelativeToRoot(frame.file, context, &inside);
    // The access: the first frame under the root, excluded code included (a vendored
    // library, a test helper). System headers above it are the standard library's.
    if (const std::string normal = fs::path(frame.file).lexically_normal().string();
        !finding.has_access && !context.root.empty() && StartsWith(normal, context.root) && !IsRuntimeFrame(frame)) {
      finding.access = frame;
      finding.access.file = normal.substr(context.root.size());
      finding.has_access = true;
    }
    if (!inside) continue;
    finding.location = frame;
    finding.location.file = std::move(relative);
    finding.has_location = true;
    return;
  }
}

void Finish(Finding& finding, const ReportContext& context) {
  Locate(finding, context);
  finding.signature = Signature(finding, context);
}

std::string Signature(const Finding& finding, const ReportContext& context) {
  std::string key = KindClass(finding.kind);
  // A bug is where it enters the project's own code: the same place whatever libraries
  // lie above it (two programs' uninitialised values first used inside printf stay two
  // bugs), whichever compiler inlined what, and however deep the stack (one bug seen by
  // ASan, TSan and Valgrind, built by Clang and by GCC, is one).
  std::vector<std::string> places;
  for (const Stack& stack : finding.stacks) {
    if (stack.frames.empty()) continue;
    places.push_back(ProjectPlace(stack, context));
    // A race reads the same whichever of its two threads came first; for other kinds
    // only the first stack (the access, or the leaked allocation) locates the bug.
    if (finding.kind != "data-race" || places.size() == 2) break;
  }
  std::sort(places.begin(), places.end());
  if (!places.empty() && std::none_of(places.begin(), places.end(), [](const std::string& p) { return p.empty(); })) {
    for (const std::string& place : places) key += "\n" + place;
    return Hex64(Fnv1a(key, kSignatureSeed));
  }
  // No way into the project (a bug inside a library, a stack without files): the top
  // frames that are not the runtime's, without line numbers.
  std::vector<std::vector<std::string>> parts;
  if (!finding.stacks.empty()) parts.push_back(TopFrames(finding.stacks[0], 3));
  if (finding.kind == "data-race" && finding.stacks.size() > 1) {
    parts.push_back(TopFrames(finding.stacks[1], 3));
    std::sort(parts.begin(), parts.end());
  }
  key += "\n(outside the project)";
  for (const auto& frames : parts) {
    for (const std::string& frame : frames) key += "\n" + frame;
    key += "\n--";
  }
  return Hex64(Fnv1a(key, kSignatureSeed));
}

std::string RelativeToRoot(const std::string& file, const ReportContext& context, bool* inside) {
  *inside = false;
  const std::string normal = fs::path(file).lexically_normal().string();
  if (context.root.empty() || !StartsWith(normal, context.root)) return normal;
  for (const std::string& excluded : context.exclude) {
    if (StartsWith(normal, excluded)) return normal;
  }
  const std::string relative = normal.substr(context.root.size());
  // Every directory between the root and the file, not the file's own name.
  for (size_t start = 0, slash; (slash = relative.find('/', start)) != std::string::npos; start = slash + 1) {
    const std::string_view name = std::string_view(relative).substr(start, slash - start);
    for (const std::string& excluded : context.excluded_names) {
      if (name == excluded) return normal;
    }
  }
  *inside = true;
  return relative;
}

std::vector<Group> Deduplicate(const std::vector<Finding>& findings) {
  std::map<std::string, Group> by_signature;
  std::vector<std::string> order;
  const auto add_unique = [](std::vector<std::string>& list, const std::string& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
  };
  for (const Finding& finding : findings) {
    auto [it, inserted] = by_signature.try_emplace(finding.signature);
    Group& group = it->second;
    if (inserted) {
      group.first = finding;
      order.push_back(finding.signature);
    }
    add_unique(group.tools, finding.tool);
    group.message_by_tool.try_emplace(finding.tool, finding.message);
    add_unique(group.presets, finding.preset);
    add_unique(group.tests, finding.test);
    ++group.occurrences;
  }
  std::vector<Group> groups;
  for (const std::string& signature : order) {
    Group group = std::move(by_signature[signature]);
    std::sort(group.tools.begin(), group.tools.end());
    std::sort(group.presets.begin(), group.presets.end());
    std::sort(group.tests.begin(), group.tests.end());
    groups.push_back(std::move(group));
  }
  std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    return std::tie(a.first.kind, a.first.location.file, a.first.location.line) <
           std::tie(b.first.kind, b.first.location.file, b.first.location.line);
  });
  return groups;
}

}  // namespace memsafe::tools
