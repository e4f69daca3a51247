// The diff as people and workflows read it, and the SARIF baseline state (history.h).
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/text.h"
#include "history/history.h"
#include "history/history_internal.h"

namespace memsafe::tools {

using nlohmann::json;

namespace {

std::string Where(const RecordedFinding& finding) {
  return finding.file.empty() ? std::string("(no location)") : finding.file + ":" + std::to_string(finding.line);
}

json EntryJson(const DiffEntry& entry) {
  const RecordedFinding& f = entry.finding;
  return {{"signature", f.signature},
          {"kind", f.kind},
          {"file", f.file},
          {"line", f.line},
          {"function", f.function},
          {"tools", f.tools},
          {"presets", f.presets},
          {"tests", f.tests},
          {"first_seen", {{"commit", entry.first_commit}, {"at", entry.first_at}}},
          {"last_seen", {{"commit", entry.last_commit}, {"at", entry.last_at}}}};
}

json RunJson(const RunRecord& run) {
  if (run.id == 0) return nullptr;
  return {{"id", run.id}, {"commit", run.commit}, {"recorded_at", run.recorded_at}};
}

}  // namespace

std::string ShortCommit(const std::string& commit) { return commit.size() > 12 ? commit.substr(0, 12) : commit; }

std::string FormatHistoryDiff(const HistoryDiff& diff) {
  std::ostringstream out;
  out << "memsafe history: run " << diff.run.id << " (" << ShortCommit(diff.run.commit) << ", " << diff.run.recorded_at
      << ") against ";
  if (diff.base.id == 0) {
    out << "nothing (the first recorded run)\n";
  } else {
    out << "run " << diff.base.id << " (" << ShortCommit(diff.base.commit) << ", " << diff.base.recorded_at << ")\n";
  }
  const auto section = [&out](const char* title, const std::vector<DiffEntry>& entries, bool since) {
    out << title << ": " << entries.size() << "\n";
    for (const DiffEntry& entry : entries) {
      out << "  " << entry.finding.kind << " at " << Where(entry.finding) << " [" << entry.finding.signature << "] ("
          << Join(entry.finding.tools, "+") << ")";
      if (since) out << "; first seen in " << ShortCommit(entry.first_commit) << " on " << entry.first_at;
      out << "\n";
    }
  };
  section("NEW", diff.added, false);
  section("KNOWN", diff.known, true);
  section("FIXED (last seen in the run compared against)", diff.fixed, true);
  if (!diff.unconfirmed.empty()) {
    section("NOT SEEN, NOT CONFIRMED FIXED (a preset that reported it did not check this run)", diff.unconfirmed, true);
  }
  if (!diff.unchecked_presets.empty()) {
    out << "INCOMPLETE: " << Join(diff.unchecked_presets, ", ")
        << " did not check this run (build failed, no tests, a canary missed, a shard missing, or not in the run): "
           "its findings are unknown\n";
  }
  return out.str();
}

std::string FormatHistoryDiffJson(const HistoryDiff& diff) {
  json document = {{"run", RunJson(diff.run)},
                   {"base", RunJson(diff.base)},
                   {"new", json::array()},
                   {"known", json::array()},
                   {"fixed", json::array()}};
  for (const DiffEntry& entry : diff.added) document["new"].push_back(EntryJson(entry));
  for (const DiffEntry& entry : diff.known) document["known"].push_back(EntryJson(entry));
  for (const DiffEntry& entry : diff.fixed) document["fixed"].push_back(EntryJson(entry));
  document["unconfirmed"] = json::array();
  for (const DiffEntry& entry : diff.unconfirmed) document["unconfirmed"].push_back(EntryJson(entry));
  document["unchecked_presets"] = diff.unchecked_presets;
  return document.dump(2) + "\n";
}

bool MarkSarifBaseline(const HistoryDiff& diff, std::string* sarif, std::string* error) {
  json document = json::parse(*sarif, nullptr, false);
  if (document.is_discarded() || !document.is_object() || !document.contains("runs") || !document["runs"].is_array() ||
      document["runs"].empty() || !document["runs"][0].is_object()) {
    *error = "not a SARIF log (no runs)";
    return false;
  }
  std::map<std::string, std::string> state;
  for (const DiffEntry& entry : diff.added) state[entry.finding.signature] = "new";
  for (const DiffEntry& entry : diff.known) state[entry.finding.signature] = "unchanged";
  json& run = document["runs"][0];
  if (!run.contains("results") || !run["results"].is_array()) run["results"] = json::array();
  for (json& result : run["results"]) {
    if (!result.is_object()) continue;
    const json fingerprints = result.value("partialFingerprints", json::object());
    const std::string signature =
        fingerprints.is_object() ? StringOf(fingerprints, "memsafeSignature/v1") : std::string();
    if (const auto it = state.find(signature); it != state.end()) result["baselineState"] = it->second;
  }
  for (const DiffEntry& entry : diff.fixed) {
    const RecordedFinding& f = entry.finding;
    json result = {{"ruleId", f.kind},
                   {"level", "none"},
                   {"message",
                    {{"text", f.kind + " at " + Where(f) + ": fixed; last seen in " + entry.last_commit + " (" +
                                  entry.last_at + ")"}}},
                   {"partialFingerprints", {{"memsafeSignature/v1", f.signature}}},
                   {"baselineState", "absent"}};
    if (!f.file.empty()) {
      result["locations"] = json::array({{{"physicalLocation",
                                           {{"artifactLocation", {{"uri", f.file}, {"uriBaseId", "%SRCROOT%"}}},
                                            {"region", {{"startLine", f.line}}}}}}});
    }
    run["results"].push_back(std::move(result));
  }
  *sarif = document.dump(2) + "\n";
  return true;
}

}  // namespace memsafe::tools
