#include "history/history.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

#include "common/text.h"
#include "history/history_internal.h"

namespace memsafe::tools {
namespace {

using nlohmann::json;

// 'MSHF': a database of another program (or another memsafe file) is refused, not
// written into.
constexpr int kApplicationId = 0x4D534846;
// The schema this memsafe writes. Each migration moves a database up one version.
constexpr int kSchemaVersion = 2;
// How long a writer waits for another to finish before giving up, in milliseconds.
constexpr int kBusyTimeoutMs = 30000;

const char* const kMigrations[] = {
    // 0 -> 1: runs, their presets and their findings.
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, commit_id TEXT NOT NULL, recorded_at TEXT NOT NULL);"
    "CREATE TABLE preset_runs(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, preset TEXT NOT NULL,"
    " tools TEXT NOT NULL, result TEXT NOT NULL, tests INTEGER, failures INTEGER, skipped INTEGER, cached INTEGER,"
    " canaries INTEGER, canaries_caught INTEGER, build_seconds INTEGER, test_seconds INTEGER, wall_seconds INTEGER,"
    " PRIMARY KEY(run_id, preset));"
    "CREATE TABLE findings(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, signature TEXT NOT NULL,"
    " kind TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL, function TEXT NOT NULL, tools TEXT NOT NULL,"
    " presets TEXT NOT NULL, tests TEXT NOT NULL, occurrences INTEGER NOT NULL, PRIMARY KEY(run_id, signature));"
    "CREATE INDEX findings_by_signature ON findings(signature, run_id);",
    // 1 -> 2: each preset's overhead over the fast preset (NULL: not measured), and the
    // memory baseline's peaks when the run measured them, the suppressions it needed, and
    // each run's key.
    "ALTER TABLE preset_runs ADD COLUMN overhead REAL;"
    // A run recorded again under its key (a CI job re-run) replaces the first recording.
    "ALTER TABLE runs ADD COLUMN run_key TEXT;"
    "CREATE UNIQUE INDEX runs_by_key ON runs(run_key) WHERE run_key IS NOT NULL;"
    "CREATE TABLE baseline_peaks(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " scenario TEXT NOT NULL, peak_heap_bytes INTEGER NOT NULL, peak_heap_bytes_2x INTEGER NOT NULL,"
    " peak_rss_kib INTEGER NOT NULL, PRIMARY KEY(run_id, scenario));"
    "CREATE TABLE suppressions_used(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " file TEXT NOT NULL, entry TEXT NOT NULL, matches INTEGER NOT NULL, PRIMARY KEY(run_id, file, entry));",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion);

// A prepared statement, finalized at the end of its scope.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) {
    status_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &statement_, nullptr);
  }
  ~Statement() { (void)sqlite3_finalize(statement_); }  // its error is the last step's, already seen
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return status_ == SQLITE_OK; }
  Statement& Bind(int index, const std::string& text) {
    (void)sqlite3_bind_text(statement_, index, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int index, std::optional<double> value) {
    (void)(value ? sqlite3_bind_double(statement_, index, *value) : sqlite3_bind_null(statement_, index));
    return *this;
  }
  Statement& BindNull(int index) {
    (void)sqlite3_bind_null(statement_, index);
    return *this;
  }
  Statement& Bind(int index, long long value) {
    (void)sqlite3_bind_int64(statement_, index, value);  // an index out of range is a bug the tests catch
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error.
  int Step() { return sqlite3_step(statement_); }
  void Reset() {
    (void)sqlite3_reset(statement_);  // returns the last step's error, already handled
    (void)sqlite3_clear_bindings(statement_);
  }
  std::string Text(int column) const {
    const unsigned char* text = sqlite3_column_text(statement_, column);
    return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
  }
  long long Int(int column) const { return sqlite3_column_int64(statement_, column); }
  std::optional<double> Real(int column) const {
    if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(statement_, column);
  }

 private:
  sqlite3_stmt* statement_ = nullptr;
  int status_ = SQLITE_ERROR;
};

bool Execute(sqlite3* db, const char* sql, std::string* error) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
  *error = message != nullptr ? message : sqlite3_errmsg(db);
  sqlite3_free(message);
  return false;
}

bool QueryInt(sqlite3* db, const char* sql, long long* value, std::string* error) {
  Statement statement(db, sql);
  if (!statement.ok() || statement.Step() != SQLITE_ROW) {
    *error = sqlite3_errmsg(db);
    return false;
  }
  *value = statement.Int(0);
  return true;
}

// The columns of a preset row and of a finding row, and how each row reads back: one
// list for the run's own rows and for the whole timeline.
constexpr const char* kPresetColumns =
    "preset, tools, result, tests, failures, skipped, cached, canaries, canaries_caught, build_seconds, "
    "test_seconds, wall_seconds, overhead";
constexpr const char* kFindingColumns = "signature, kind, file, line, function, tools, presets, tests, occurrences";

// Rolls back unless committed: every early return leaves the database as it was.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_) (void)sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);  // nothing more to undo
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  bool Begin(std::string* error) { return open_ = Execute(db_, "BEGIN IMMEDIATE", error); }
  bool Commit(std::string* error) {
    if (!Execute(db_, "COMMIT", error)) return false;
    open_ = false;
    return true;
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

// The database's stamp: whose file it is and its schema version. False (with the reason)
// for a file of another program or of a newer memsafe.
bool ReadStamp(sqlite3* db, long long* version, std::string* error) {
  long long application = 0, tables = 0;
  if (!QueryInt(db, "PRAGMA application_id", &application, error) ||
      !QueryInt(db, "PRAGMA user_version", version, error) ||
      !QueryInt(db, "SELECT count(*) FROM sqlite_schema", &tables, error)) {
    return false;
  }
  if (application != kApplicationId && (application != 0 || tables != 0)) {
    *error = "not a memsafe history database (another program's SQLite file)";
    return false;
  }
  if (*version > kSchemaVersion) {
    *error = "written by a newer memsafe (schema " + std::to_string(*version) + "; this one knows up to " +
             std::to_string(kSchemaVersion) + ")";
    return false;
  }
  return true;
}

// Brings the schema to kSchemaVersion, or says why it cannot. A current database is only
// read (a read-only file can still be diffed); an upgrade takes the write lock first and
// looks again, since another writer may have upgraded it meanwhile.
bool Migrate(sqlite3* db, std::string* error) {
  long long version = 0;
  if (!ReadStamp(db, &version, error)) return false;
  if (version == kSchemaVersion) return true;
  Transaction transaction(db);
  if (!transaction.Begin(error) || !ReadStamp(db, &version, error)) return false;
  if (version == kSchemaVersion) return true;
  for (long long v = version; v < kSchemaVersion; ++v) {
    if (!Execute(db, kMigrations[v], error)) return false;
  }
  const std::string stamp = "PRAGMA application_id = " + std::to_string(kApplicationId) +
                            "; PRAGMA user_version = " + std::to_string(kSchemaVersion);
  return Execute(db, stamp.c_str(), error) && transaction.Commit(error);
}

// "asan,tsan" in the database; read back into a list.
std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

// Whether a preset's row shows a run whose findings are all there is: it built and ran
// its tests (a finding fails them, hence FAILED too), and caught every canary.
bool Checked(const RecordedPreset& preset) {
  return (preset.result == "ok" || preset.result == "FAILED") && preset.tests > 0 && preset.canaries > 0 &&
         preset.canaries_caught == preset.canaries;
}

}  // namespace

std::unique_ptr<History> History::Open(const std::string& path, std::string* error, bool create) {
  sqlite3* db = nullptr;
  const int status =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), nullptr);
  std::unique_ptr<History> history(db != nullptr ? new History(db) : nullptr);
  if (status != SQLITE_OK) {
    *error = path + ": " + (db != nullptr ? sqlite3_errmsg(db) : "cannot open");
    return nullptr;
  }
  (void)sqlite3_busy_timeout(db, kBusyTimeoutMs);  // only fails for a null handle
  std::string why;
  if (!Execute(db, "PRAGMA foreign_keys = ON", &why) || !Migrate(db, &why)) {
    *error = path + ": " + why;
    return nullptr;
  }
  return history;
}

History::~History() { (void)sqlite3_close_v2(db_); }  // every statement is finalized by then

bool History::Record(RunRecord& run, std::string* error) {
  Transaction transaction(db_);
  if (!transaction.Begin(error)) return false;
  // A run recorded again under its key keeps its place (its id) among the runs; its old
  // presets, findings and peaks go with the old row (ON DELETE CASCADE).
  long long replaced = 0;
  if (!run.key.empty()) {
    Statement old(db_, "SELECT id FROM runs WHERE run_key = ?");
    old.Bind(1, run.key);
    const int status = old.ok() ? old.Step() : SQLITE_ERROR;
    if (status == SQLITE_ROW) replaced = old.Int(0);
    long long last = 0;
    if (replaced != 0 && (!QueryInt(db_, "SELECT max(id) FROM runs", &last, error) || replaced != last)) {
      // Replaced in place, an older run would become the past of runs recorded after it
      // while the diff still compares the newest: refused rather than misread.
      if (error->empty()) *error = "run '" + run.key + "' is not the last recorded run: it cannot be recorded again";
      return false;
    }
    Statement remove(db_, "DELETE FROM runs WHERE id = ?");
    if ((status != SQLITE_ROW && status != SQLITE_DONE) ||
        (replaced != 0 && (!remove.ok() || remove.Bind(1, replaced).Step() != SQLITE_DONE))) {
      *error = sqlite3_errmsg(db_);
      return false;
    }
  }
  Statement insert_run(db_, "INSERT INTO runs(id, commit_id, recorded_at, run_key) VALUES(?, ?, ?, ?)");
  // A NULL id is a new one; a NULL key is no key (the unique index allows many).
  (replaced != 0 ? insert_run.Bind(1, replaced) : insert_run.BindNull(1)).Bind(2, run.commit).Bind(3, run.recorded_at);
  (run.key.empty() ? insert_run.BindNull(4) : insert_run.Bind(4, run.key));
  if (!insert_run.ok() || insert_run.Step() != SQLITE_DONE) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  const long long id = sqlite3_last_insert_rowid(db_);
  Statement preset(db_, std::string("INSERT INTO preset_runs(run_id, ") + kPresetColumns +
                            ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const RecordedPreset& p : run.presets) {
    preset.Reset();
    preset.Bind(1, id).Bind(2, p.preset).Bind(3, p.tools).Bind(4, p.result).Bind(5, p.tests).Bind(6, p.failures);
    preset.Bind(7, p.skipped).Bind(8, p.cached).Bind(9, p.canaries).Bind(10, p.canaries_caught);
    preset.Bind(11, p.build_seconds).Bind(12, p.test_seconds).Bind(13, p.wall_seconds).Bind(14, p.overhead);
    if (!preset.ok() || preset.Step() != SQLITE_DONE) {
      *error = sqlite3_errmsg(db_);
      return false;
    }
  }
  Statement finding(db_, "INSERT INTO findings VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const RecordedFinding& f : run.findings) {
    finding.Reset();
    finding.Bind(1, id).Bind(2, f.signature).Bind(3, f.kind).Bind(4, f.file).Bind(5, f.line).Bind(6, f.function);
    finding.Bind(7, Join(f.tools, ",")).Bind(8, Join(f.presets, ",")).Bind(9, Join(f.tests, ","));
    finding.Bind(10, f.occurrences);
    if (!finding.ok() || finding.Step() != SQLITE_DONE) {
      *error = sqlite3_errmsg(db_);
      return false;
    }
  }
  Statement peak(db_, "INSERT INTO baseline_peaks VALUES(?, ?, ?, ?, ?)");
  for (const RecordedPeak& p : run.peaks) {
    peak.Reset();
    peak.Bind(1, id).Bind(2, p.scenario).Bind(3, p.peak_heap_bytes).Bind(4, p.peak_heap_bytes_2x);
    peak.Bind(5, p.peak_rss_kib);
    if (!peak.ok() || peak.Step() != SQLITE_DONE) {
      *error = sqlite3_errmsg(db_);
      return false;
    }
  }
  Statement suppression(db_, "INSERT INTO suppressions_used VALUES(?, ?, ?, ?)");
  for (const RecordedSuppression& s : run.suppressions) {
    suppression.Reset();
    suppression.Bind(1, id).Bind(2, s.file).Bind(3, s.entry).Bind(4, s.matches);
    if (!suppression.ok() || suppression.Step() != SQLITE_DONE) {
      *error = sqlite3_errmsg(db_);
      return false;
    }
  }
  if (!transaction.Commit(error)) return false;
  run.id = id;
  return true;
}

namespace {

// How each row of the column lists above reads back.
RecordedPreset PresetAt(const Statement& row, int first) {
  RecordedPreset preset;
  preset.preset = row.Text(first);
  preset.tools = row.Text(first + 1);
  preset.result = row.Text(first + 2);
  int* numbers[] = {&preset.tests,         &preset.failures,     &preset.skipped,
                    &preset.cached,        &preset.canaries,     &preset.canaries_caught,
                    &preset.build_seconds, &preset.test_seconds, &preset.wall_seconds};
  for (int i = 0; i < 9; ++i) *numbers[i] = static_cast<int>(row.Int(first + 3 + i));
  preset.overhead = row.Real(first + 12);
  return preset;
}

RecordedFinding FindingAt(const Statement& row, int first) {
  return {row.Text(first),
          row.Text(first + 1),
          row.Text(first + 2),
          static_cast<int>(row.Int(first + 3)),
          row.Text(first + 4),
          SplitList(row.Text(first + 5)),
          SplitList(row.Text(first + 6)),
          SplitList(row.Text(first + 7)),
          static_cast<int>(row.Int(first + 8))};
}

// Steps `statement` to its end, calling `row` on each row; false, with SQLite's reason,
// when it cannot be prepared or a step fails (a read cut short is no answer).
template <typename Row>
bool EachRow(sqlite3* db, Statement& statement, Row row, std::string* error) {
  int status = statement.ok() ? SQLITE_ROW : SQLITE_ERROR;
  while (status == SQLITE_ROW && (status = statement.Step()) == SQLITE_ROW) row(statement);
  if (status == SQLITE_DONE) return true;
  *error = sqlite3_errmsg(db);
  return false;
}

}  // namespace

std::optional<std::vector<RunRecord>> History::Runs(std::string* error) {
  Statement statement(db_, "SELECT id, commit_id, recorded_at FROM runs ORDER BY id");
  std::vector<RunRecord> runs;
  const bool read = EachRow(
      db_, statement,
      [&runs](const Statement& row) {
        RunRecord run;
        run.id = row.Int(0);
        run.commit = row.Text(1);
        run.recorded_at = row.Text(2);
        runs.push_back(std::move(run));
      },
      error);
  if (!read) return std::nullopt;
  return runs;
}

std::optional<std::vector<RunRecord>> History::Timeline(std::string* error) {
  std::optional<std::vector<RunRecord>> runs = Runs(error);
  if (!runs) return std::nullopt;
  std::map<long long, size_t> index;
  for (size_t i = 0; i < runs->size(); ++i) index[(*runs)[i].id] = i;
  // Four reads in all, whatever the number of runs: a dashboard of 1,000 runs must not
  // cost 2,000 queries.
  Statement presets(db_, std::string("SELECT run_id, ") + kPresetColumns + " FROM preset_runs ORDER BY run_id, preset");
  Statement findings(
      db_, std::string("SELECT run_id, ") + kFindingColumns + " FROM findings ORDER BY run_id, file, line, kind");
  Statement peaks(db_,
                  "SELECT run_id, scenario, peak_heap_bytes, peak_heap_bytes_2x, peak_rss_kib FROM baseline_peaks "
                  "ORDER BY run_id, scenario");
  Statement used(db_, "SELECT run_id, file, entry, matches FROM suppressions_used ORDER BY run_id, file, entry");
  const auto run_of = [&](const Statement& row) -> RunRecord* {
    const auto at = index.find(row.Int(0));
    return at == index.end() ? nullptr : &(*runs)[at->second];
  };
  const bool read = EachRow(
                        db_, presets,
                        [&](const Statement& row) {
                          if (RunRecord* run = run_of(row)) run->presets.push_back(PresetAt(row, 1));
                        },
                        error) &&
                    EachRow(
                        db_, findings,
                        [&](const Statement& row) {
                          if (RunRecord* run = run_of(row)) run->findings.push_back(FindingAt(row, 1));
                        },
                        error) &&
                    EachRow(
                        db_, peaks,
                        [&](const Statement& row) {
                          if (RunRecord* run = run_of(row)) {
                            run->peaks.push_back({row.Text(1), row.Int(2), row.Int(3), row.Int(4)});
                          }
                        },
                        error) &&
                    EachRow(
                        db_, used,
                        [&](const Statement& row) {
                          if (RunRecord* run = run_of(row)) {
                            run->suppressions.push_back({row.Text(1), row.Text(2), row.Int(3)});
                          }
                        },
                        error);
  if (!read) return std::nullopt;
  return runs;
}

std::optional<std::vector<RecordedFinding>> History::FindingsOf(long long run_id, std::string* error) {
  Statement statement(
      db_, std::string("SELECT ") + kFindingColumns + " FROM findings WHERE run_id = ? ORDER BY file, line, kind");
  statement.Bind(1, run_id);
  std::vector<RecordedFinding> findings;
  if (!EachRow(
          db_, statement, [&findings](const Statement& row) { findings.push_back(FindingAt(row, 0)); }, error)) {
    return std::nullopt;
  }
  return findings;
}

std::optional<RecordedFinding> History::LastSeen(const std::string& signature, std::string* error) {
  Statement statement(db_, std::string("SELECT ") + kFindingColumns +
                               " FROM findings WHERE signature = ? ORDER BY run_id DESC LIMIT 1");
  statement.Bind(1, signature);
  std::optional<RecordedFinding> found;
  error->clear();
  if (!EachRow(
          db_, statement, [&found](const Statement& row) { found = FindingAt(row, 0); }, error)) {
    return std::nullopt;
  }
  return found;
}

std::optional<std::vector<RecordedPreset>> History::PresetsOf(long long run_id, std::string* error) {
  Statement statement(db_, std::string("SELECT ") + kPresetColumns + " FROM preset_runs WHERE run_id = ?");
  statement.Bind(1, run_id);
  std::vector<RecordedPreset> presets;
  if (!EachRow(
          db_, statement, [&presets](const Statement& row) { presets.push_back(PresetAt(row, 0)); }, error)) {
    return std::nullopt;
  }
  return presets;
}

std::optional<HistoryDiff> History::Diff(const std::string& since, std::string* error) {
  std::optional<std::vector<RunRecord>> runs = Runs(error);
  if (!runs) return std::nullopt;
  if (runs->empty()) {
    *error = "no run recorded yet (memsafe history record)";
    return std::nullopt;
  }
  HistoryDiff diff;
  diff.run = runs->back();
  for (size_t i = runs->size() - 1; i-- > 0;) {
    if (since.empty() || (*runs)[i].commit == since) {
      diff.base = (*runs)[i];
      break;
    }
  }
  if (!since.empty() && diff.base.id == 0) {
    *error = "no run of commit " + since + " before the last one";
    return std::nullopt;
  }
  std::optional<std::vector<RecordedFinding>> now = FindingsOf(diff.run.id, error);
  if (!now) return std::nullopt;
  std::vector<RecordedFinding> before;
  if (diff.base.id != 0) {
    std::optional<std::vector<RecordedFinding>> base_findings = FindingsOf(diff.base.id, error);
    if (!base_findings) return std::nullopt;
    before = std::move(*base_findings);
  }
  // The earliest run of each signature: where a finding was first seen.
  Statement first(db_,
                  "SELECT r.commit_id, r.recorded_at FROM findings f JOIN runs r ON r.id = f.run_id "
                  "WHERE f.signature = ? ORDER BY r.id LIMIT 1");
  if (!first.ok()) {
    *error = sqlite3_errmsg(db_);
    return std::nullopt;
  }
  const auto first_seen = [&first](DiffEntry* entry) {
    first.Reset();
    first.Bind(1, entry->finding.signature);
    if (first.Step() == SQLITE_ROW) {
      entry->first_commit = first.Text(0);
      entry->first_at = first.Text(1);
    }
  };
  std::set<std::string> in_base, in_run, checked;
  for (const RecordedFinding& f : before) in_base.insert(f.signature);
  const std::optional<std::vector<RecordedPreset>> presets = PresetsOf(diff.run.id, error);
  if (!presets) return std::nullopt;
  for (const RecordedPreset& p : *presets) {
    if (Checked(p)) {
      checked.insert(p.preset);
    } else {
      diff.unchecked_presets.push_back(p.preset);
    }
  }
  // A preset the run compared against had and this run has not checked nothing this time.
  if (diff.base.id != 0) {
    const std::optional<std::vector<RecordedPreset>> base_presets = PresetsOf(diff.base.id, error);
    if (!base_presets) return std::nullopt;
    for (const RecordedPreset& p : *base_presets) {
      const bool here = std::any_of(presets->begin(), presets->end(),
                                    [&p](const RecordedPreset& mine) { return mine.preset == p.preset; });
      if (!here) diff.unchecked_presets.push_back(p.preset);
    }
  }
  for (const RecordedFinding& f : *now) {
    in_run.insert(f.signature);
    DiffEntry entry{f, {}, {}, diff.run.commit, diff.run.recorded_at};
    first_seen(&entry);
    (in_base.count(f.signature) > 0 ? diff.known : diff.added).push_back(std::move(entry));
  }
  for (const RecordedFinding& f : before) {
    if (in_run.count(f.signature) > 0) continue;
    DiffEntry entry{f, {}, {}, diff.base.commit, diff.base.recorded_at};
    first_seen(&entry);
    // Fixed only where every preset that reported it checked this run.
    const bool all_checked =
        !f.presets.empty() && std::all_of(f.presets.begin(), f.presets.end(),
                                          [&checked](const std::string& p) { return checked.count(p) > 0; });
    (all_checked ? diff.fixed : diff.unconfirmed).push_back(std::move(entry));
  }
  return diff;
}

}  // namespace memsafe::tools
