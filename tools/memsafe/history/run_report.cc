// Reading memsafe check's reports (and the measured baseline) into a run to record
// (history.h: ReadRunReports, ReadBaselinePeaks).
#include <algorithm>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "baseline.h"
#include "check/presets.h"
#include "common/text.h"
#include "history/history.h"
#include "history/history_internal.h"

namespace memsafe::tools {
namespace {

using nlohmann::json;

std::vector<std::string> StringList(const json& value) {
  std::vector<std::string> items;
  if (!value.is_array()) return items;
  for (const json& item : value) {
    if (item.is_string()) items.push_back(item.get<std::string>());
  }
  return items;
}

std::optional<json> ReadJson(const std::string& path, std::string* error) {
  std::string text, why;
  if (!ReadWholeFile(path, &text, &why)) {
    *error = path + ": " + why;
    return std::nullopt;
  }
  json document = json::parse(text, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    *error = path + ": not JSON (a memsafe check report is)";
    return std::nullopt;
  }
  return document;
}

// A count of a report: 0 when missing, -1 when it is not a count (negative, fractional,
// too large for one), which makes the report refused.
int IntOf(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return 0;
  if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 1000000000) return -1;
  return static_cast<int>(it->get<long long>());
}

// One report directory's run.
// One report directory's run; `shards` gets each preset row's shard ("I/N", or "" for a
// whole preset), the row's name being its preset's.
std::optional<RunRecord> ReadOneReport(const std::string& report_dir, std::vector<std::string>* shards,
                                       std::string* error) {
  const std::string dir = report_dir + "/this-run/";
  const std::optional<json> summary = ReadJson(dir + "summary.json", error);
  if (!summary) return std::nullopt;
  const std::optional<json> findings = ReadJson(dir + "findings.json", error);
  if (!findings) return std::nullopt;
  if (!summary->contains("presets") || !(*summary)["presets"].is_array() || !findings->contains("findings") ||
      !(*findings)["findings"].is_array()) {
    *error = dir + ": summary.json or findings.json is not memsafe check's (no presets or findings list)";
    return std::nullopt;
  }
  RunRecord run;
  for (const json& row : (*summary)["presets"]) {
    if (!row.is_object() || StringOf(row, "preset").empty()) {
      *error = dir + "summary.json: a preset row without a name";
      return std::nullopt;
    }
    RecordedPreset preset{StringOf(row, "preset"),
                          StringOf(row, "tools"),
                          StringOf(row, "result"),
                          IntOf(row, "tests"),
                          IntOf(row, "failures"),
                          IntOf(row, "skipped"),
                          IntOf(row, "cached"),
                          IntOf(row, "canaries"),
                          IntOf(row, "canaries_caught"),
                          IntOf(row, "build_seconds"),
                          IntOf(row, "test_seconds"),
                          IntOf(row, "wall_seconds"),
                          std::nullopt};
    // A preset that did not check all its tests (a build or canary problem behind a
    // failed test, a run of named tests only) has findings, but not all of them.
    if (const auto complete = row.find("complete"); complete != row.end() && complete->is_boolean() &&
                                                    !complete->get<bool>() &&
                                                    (preset.result == "ok" || preset.result == "FAILED")) {
      preset.result = "INCOMPLETE (" + preset.result + ")";
    }
    shards->push_back(StringOf(row, "shard"));
    if (!shards->back().empty() && !StringOf(row, "shard_of").empty()) preset.preset = StringOf(row, "shard_of");
    const int* const counts[] = {&preset.tests,         &preset.failures,     &preset.skipped,
                                 &preset.cached,        &preset.canaries,     &preset.canaries_caught,
                                 &preset.build_seconds, &preset.test_seconds, &preset.wall_seconds};
    const bool counts_ok = std::all_of(std::begin(counts), std::end(counts), [](const int* n) { return *n >= 0; });
    const auto overhead = row.find("overhead");
    const bool overhead_ok = overhead == row.end() || overhead->is_null() ||
                             (overhead->is_number() && overhead->get<double>() > 0 && overhead->get<double>() < 1e6);
    if (!counts_ok || !overhead_ok || preset.canaries_caught > preset.canaries) {
      *error = dir + "summary.json: preset '" + preset.preset +
               "' has a count that is not one (negative, too "
               "large, fractional, more canaries caught than run) or an overhead that is not a ratio";
      return std::nullopt;
    }
    if (overhead != row.end() && overhead->is_number()) {
      preset.overhead = overhead->get<double>();
    }
    run.presets.push_back(std::move(preset));
  }
  std::set<std::string> seen;
  for (const json& item : (*findings)["findings"]) {
    const std::string signature = item.is_object() ? StringOf(item, "signature") : std::string();
    if (signature.empty() || !seen.insert(signature).second) {
      *error = dir + "findings.json: a finding without a signature, or one signature twice";
      return std::nullopt;
    }
    RecordedFinding finding;
    finding.signature = signature;
    finding.kind = StringOf(item, "kind");
    if (const auto location = item.find("location"); location != item.end() && location->is_object()) {
      finding.file = StringOf(*location, "file");
      finding.line = IntOf(*location, "line");
      finding.function = StringOf(*location, "function");
    }
    finding.tools = StringList(item.value("tools", json::array()));
    finding.presets = StringList(item.value("presets", json::array()));
    finding.tests = StringList(item.value("tests", json::array()));
    finding.occurrences = IntOf(item, "occurrences");
    run.findings.push_back(std::move(finding));
  }
  // The suppressions the run needed; a report of an older memsafe has none.
  std::string text;
  if (ReadWholeFile(dir + "suppressions.json", &text)) {
    const json used = json::parse(text, nullptr, false);
    if (!used.is_object() || !used.contains("used") || !used["used"].is_array()) {
      *error = dir + "suppressions.json: not memsafe check's (no list of used entries)";
      return std::nullopt;
    }
    for (const json& item : used["used"]) {
      if (!item.is_object() || StringOf(item, "file").empty() || StringOf(item, "entry").empty() ||
          IntOf(item, "matches") < 0) {
        *error = dir + "suppressions.json: an entry without a file, a text or a count";
        return std::nullopt;
      }
      run.suppressions.push_back({StringOf(item, "file"), StringOf(item, "entry"), IntOf(item, "matches")});
    }
  }
  return run;
}

// `into` with the items of `more` it lacks, sorted.
void JoinSorted(std::vector<std::string>* into, const std::vector<std::string>& more) {
  std::set<std::string> all(into->begin(), into->end());
  all.insert(more.begin(), more.end());
  into->assign(all.begin(), all.end());
}

// The rows of one preset as they come in, whole or shard by shard.
struct PresetRows {
  size_t index = 0;         // its row in the run
  std::string from;         // the report of its first row
  int shard_count = 0;      // N of "I/N"; 0 for a whole preset
  std::set<int> shards;     // the I seen
  double test_seconds = 0;  // of the shards with an overhead: their time, and what the
  double fast_seconds = 0;  // fast preset took for the same tests
  bool every_overhead = true;
};

// Adds a shard's row to its preset's: counts and times add up (wall time is the longest
// shard's), the result is the first that is not "ok", the overhead is the time of all
// shards over the fast preset's for the same tests.
// Adds a shard's test time and the fast preset's for the same tests; the preset's
// overhead so far: nullopt once a shard did not measure one.
std::optional<double> AddOverhead(const RecordedPreset& shard, PresetRows* rows) {
  rows->every_overhead = rows->every_overhead && shard.overhead && *shard.overhead > 0;
  if (!rows->every_overhead) return std::nullopt;
  rows->test_seconds += shard.test_seconds;
  rows->fast_seconds += shard.test_seconds / *shard.overhead;
  return rows->fast_seconds > 0 ? std::optional<double>(rows->test_seconds / rows->fast_seconds) : std::nullopt;
}

void MergeShard(const RecordedPreset& shard, RecordedPreset* into, PresetRows* rows) {
  int* const sums[] = {&into->tests,    &into->failures,        &into->skipped,       &into->cached,
                       &into->canaries, &into->canaries_caught, &into->build_seconds, &into->test_seconds};
  const int adds[] = {shard.tests,    shard.failures,        shard.skipped,       shard.cached,
                      shard.canaries, shard.canaries_caught, shard.build_seconds, shard.test_seconds};
  for (size_t i = 0; i < sizeof adds / sizeof adds[0]; ++i) *sums[i] += adds[i];
  into->wall_seconds = std::max(into->wall_seconds, shard.wall_seconds);
  // The worst shard's: a shard that did not check outweighs one that found something.
  const auto rank = [](const std::string& result) { return result == "ok" ? 0 : result == "FAILED" ? 1 : 2; };
  if (rank(shard.result) > rank(into->result)) into->result = shard.result;
  into->overhead = AddOverhead(shard, rows);
}

// Puts one report's preset row into the run: a new preset, or a further shard of one.
// False, with the reason, for a preset (or shard) that two reports hold.
bool AddPresetRow(RecordedPreset preset, const std::string& shard, const std::string& dir, RunRecord* run,
                  std::map<std::string, PresetRows>* presets, std::string* error) {
  int index = 0, count = 0;
  const bool sharded = !shard.empty();
  if (sharded && !ParseShard(shard, &index, &count)) {  // memsafe check's own --shard grammar
    *error = dir + ": preset '" + preset.preset + "' has shard '" + shard + "', not I/N with 1 <= I <= N <= 1000";
    return false;
  }
  const auto known = presets->find(preset.preset);
  if (known == presets->end()) {
    PresetRows rows{run->presets.size(), dir, sharded ? count : 0, {}};
    if (sharded) {
      rows.shards.insert(index);
      (void)AddOverhead(preset, &rows);  // the row keeps its own overhead; the sums are for the next shard
    }
    presets->emplace(preset.preset, rows);
    run->presets.push_back(std::move(preset));
    return true;
  }
  PresetRows& rows = known->second;
  if (!sharded || rows.shard_count != count || !rows.shards.insert(index).second) {
    *error = "preset '" + preset.preset + "'" + (shard.empty() ? "" : " shard " + shard) + " is in two reports (" +
             rows.from + " and " + dir + ")";
    return false;
  }
  MergeShard(preset, &run->presets[rows.index], &rows);
  return true;
}

}  // namespace

std::optional<RunRecord> ReadRunReports(const std::vector<std::string>& report_dirs, const std::string& commit,
                                        const std::string& recorded_at, std::string* error) {
  if (report_dirs.empty()) {
    *error = "no report directory";
    return std::nullopt;
  }
  RunRecord run;
  run.commit = commit;
  run.recorded_at = recorded_at;
  std::map<std::string, PresetRows> presets;
  std::map<std::string, size_t> finding_at;  // signature -> index in run.findings
  for (const std::string& dir : report_dirs) {
    std::vector<std::string> shards;
    std::optional<RunRecord> one = ReadOneReport(dir, &shards, error);
    if (!one) return std::nullopt;
    for (size_t i = 0; i < one->presets.size(); ++i) {
      if (!AddPresetRow(std::move(one->presets[i]), shards[i], dir, &run, &presets, error)) return std::nullopt;
    }
    for (RecordedFinding& finding : one->findings) {
      const auto [at, added] = finding_at.emplace(finding.signature, run.findings.size());
      if (added) {
        run.findings.push_back(std::move(finding));
        continue;
      }
      RecordedFinding& known = run.findings[at->second];
      JoinSorted(&known.tools, finding.tools);
      JoinSorted(&known.presets, finding.presets);
      JoinSorted(&known.tests, finding.tests);
      known.occurrences += finding.occurrences;
    }
    for (const RecordedSuppression& used : one->suppressions) {
      const auto same = std::find_if(run.suppressions.begin(), run.suppressions.end(),
                                     [&used](const auto& s) { return s.file == used.file && s.entry == used.entry; });
      if (same == run.suppressions.end()) {
        run.suppressions.push_back(used);
      } else {
        same->matches += used.matches;  // the same entry matched in two jobs' runs
      }
    }
  }
  // A preset whose shards did not all report did not check all its tests.
  for (const auto& [name, rows] : presets) {
    if (rows.shard_count > 0 && static_cast<int>(rows.shards.size()) != rows.shard_count) {
      run.presets[rows.index].result = "INCOMPLETE: " + std::to_string(rows.shards.size()) + " of " +
                                       std::to_string(rows.shard_count) + " shards reported";
    }
  }
  return run;
}

std::optional<std::vector<RecordedPeak>> ReadBaselinePeaks(const std::string& path, std::string* error) {
  std::string text, why;
  BaselineFile file;
  if (!ReadWholeFile(path, &text, &why) || !ReadBaseline(text, &file, &why)) {
    *error = path + ": " + why;
    return std::nullopt;
  }
  std::vector<RecordedPeak> peaks;
  for (const auto& [name, m] : file.scenarios) {
    peaks.push_back({name, static_cast<long long>(m.peak_heap_bytes), static_cast<long long>(m.peak_heap_bytes_2x),
                     static_cast<long long>(m.peak_rss_kib)});
  }
  return peaks;
}

}  // namespace memsafe::tools
