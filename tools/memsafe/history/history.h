// The project's memory history: every recorded `memsafe check --memory-checks` run in one
// SQLite database, so that a run can say which findings are new, which are known (and
// since which commit), and which were fixed.
//
// Example:
//   std::string error;
//   std::optional<RunRecord> run = ReadRunReport("build/memsafe-report", "3f2c...", now, &error);
//   std::unique_ptr<History> history = History::Open("memsafe-history.db", &error);
//   if (!run || !history || !history->Record(*run, &error)) std::cerr << error << "\n";
//   std::optional<HistoryDiff> diff = history->Diff("", &error);  // the last run against the one before
//
// The database identifies itself (SQLite's application_id) and carries its schema version
// (user_version); Open upgrades an older schema in one transaction and refuses a newer
// one, a database of another program, and a file that is not a database. Record writes a
// run in one IMMEDIATE transaction: an interrupted writer leaves the database as it was,
// and a second writer waits for the first (up to a busy timeout) instead of interleaving.
//
// Thread-safety: a History is used by one thread; separate processes may share the file.
// Failure: every operation returns false or nullopt with the reason in `*error`; the
// database is then unchanged.
#ifndef MEMSAFE_TOOLS_HISTORY_H_
#define MEMSAFE_TOOLS_HISTORY_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace memsafe::tools {

// One distinct finding of a run, by the signature `memsafe report` gives it.
struct RecordedFinding {
  std::string signature;  // 16 hex digits
  std::string kind;
  std::string file;  // relative to the project root; empty without a location
  int line = 0;
  std::string function;
  std::vector<std::string> tools, presets, tests;
  int occurrences = 0;
};

// One preset's row of the run's summary.
struct RecordedPreset {
  std::string preset, tools, result;
  int tests = 0, failures = 0, skipped = 0, cached = 0, canaries = 0, canaries_caught = 0;
  int build_seconds = 0, test_seconds = 0, wall_seconds = 0;
  std::optional<double> overhead;  // test time over the fast preset's; nullopt: not measured
};

// One memory-baseline scenario's peaks as the run measured them (baseline.h).
struct RecordedPeak {
  std::string scenario;
  long long peak_heap_bytes = 0, peak_heap_bytes_2x = 0, peak_rss_kib = 0;
};

// A suppression entry a run needed: its file (relative to the project; memsafe's own
// defaults as memsafe:<file>), its text, and how often the run matched it.
struct RecordedSuppression {
  std::string file, entry;
  long long matches = 0;
};

struct RunRecord {
  long long id = 0;         // set by the database
  std::string commit;       // a full commit id, or what the caller named the run
  std::string recorded_at;  // UTC, YYYY-MM-DDTHH:MM:SSZ
  // Names the run across recordings (a CI run's id): recording a run of the same key
  // again replaces the first. Empty: every recording is a run of its own.
  std::string key;
  std::vector<RecordedPreset> presets;
  std::vector<RecordedFinding> findings;
  std::vector<RecordedPeak> peaks;
  std::vector<RecordedSuppression> suppressions;
};

// Reads what `memsafe check --memory-checks` left of its last run in each of
// `report_dirs` (this-run/summary.json, this-run/findings.json, and the entries the
// run matched in this-run/suppressions.json when there is one) as one run: the
// nightly runs each preset, or each shard of one, in a job of its own. A finding several
// reports have is one finding (tools, presets and tests joined, occurrences added); the
// shards of a preset are one row of it (counts added), INCOMPLETE when a shard is
// missing. nullopt, with the reason, when a file is missing or is not memsafe's, or when
// two reports hold the same preset or shard (one job's report downloaded twice would
// count twice).
std::optional<RunRecord> ReadRunReports(const std::vector<std::string>& report_dirs, const std::string& commit,
                                        const std::string& recorded_at, std::string* error);

// The scenarios of a memory baseline file as `memsafe baseline check --measured` writes
// them (the format of sanitizers/memory-baseline.json). nullopt, with the reason, when it
// cannot be read or is not one.
std::optional<std::vector<RecordedPeak>> ReadBaselinePeaks(const std::string& path, std::string* error);

// A finding of the diff, with where the history first saw it and last saw it.
struct DiffEntry {
  RecordedFinding finding;
  std::string first_commit, first_at;  // the earliest recorded run that had it
  std::string last_commit, last_at;    // fixed entries: the base run, where it was last seen
};

struct HistoryDiff {
  RunRecord run, base;  // findings not filled; base.id == 0 when there is no earlier run
  std::vector<DiffEntry> added, known, fixed;
  // Presets of the run that did not check what they were meant to (a build that failed,
  // no test run, a canary missed, a shard that did not report), and presets of the base
  // that the run does not have: their findings cannot be known, so the run cannot pass a
  // gate on the diff.
  std::vector<std::string> unchecked_presets;
  // Findings of the base that the run does not have, but that a preset which did not
  // check (or was not in the run) reported: not fixed, only not seen.
  std::vector<DiffEntry> unconfirmed;
};

class History {
 public:
  // Opens the database at `path`, creating it when missing only with `create` (a
  // mistyped path to read must not leave an empty database behind).
  static std::unique_ptr<History> Open(const std::string& path, std::string* error, bool create = false);
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  [[nodiscard]] bool Record(RunRecord& run, std::string* error);
  // The last run against the run before it, or against the last run of commit `since`
  // (a full commit id as recorded) when it is not empty.
  std::optional<HistoryDiff> Diff(const std::string& since, std::string* error);
  // The finding of that signature in the last run that had it; nullopt with an empty
  // `*error` when no run had it.
  std::optional<RecordedFinding> LastSeen(const std::string& signature, std::string* error);
  // Every recorded run, oldest first (findings and presets not filled).
  std::optional<std::vector<RunRecord>> Runs(std::string* error);
  // Every recorded run, oldest first, with its presets, findings and peaks (for the
  // dashboard).
  std::optional<std::vector<RunRecord>> Timeline(std::string* error);

 private:
  explicit History(sqlite3* db) : db_(db) {}
  std::optional<std::vector<RecordedFinding>> FindingsOf(long long run_id, std::string* error);
  std::optional<std::vector<RecordedPreset>> PresetsOf(long long run_id, std::string* error);
  sqlite3* db_;
};

// Marks each result of a SARIF log of the diff's run (memsafe report's, which names each
// result's signature in partialFingerprints "memsafeSignature/v1") with its baselineState
// for code scanning: "new" or "unchanged"; each fixed finding is added as an "absent"
// result. A result whose signature the run does not have is left unmarked. False, with
// the reason, when `sarif` is not a SARIF log.
bool MarkSarifBaseline(const HistoryDiff& diff, std::string* sarif, std::string* error);

// The dashboard: one self-contained HTML page (no script, no network; plots drawn as inline
// SVG here) of a timeline: open findings per preset over the runs, test and wall time per
// preset, the open findings of the last run with the commit and date each was first
// seen, and the findings fixed in the last runs. Each finding links to its file:line
// under `source_url` (a directory or a URL prefix such as
// https://github.com/OWNER/REPO/blob/main/).
std::string FormatHistoryHtml(const std::vector<RunRecord>& timeline, const std::string& source_url);

// A commit id as people quote it: its first 12 characters.
std::string ShortCommit(const std::string& commit);

// The diff as a person reads it, and as JSON for a workflow step.
std::string FormatHistoryDiff(const HistoryDiff& diff);
std::string FormatHistoryDiffJson(const HistoryDiff& diff);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_HISTORY_H_
