#include "history/history.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

#include "baseline.h"
#include "common/text.h"

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
    // memory baseline's peaks when the run measured them, and each run's key.
    "ALTER TABLE preset_runs ADD COLUMN overhead REAL;"
    // A run recorded again under its key (a CI job re-run) replaces the first recording.
    "ALTER TABLE runs ADD COLUMN run_key TEXT;"
    "CREATE UNIQUE INDEX runs_by_key ON runs(run_key) WHERE run_key IS NOT NULL;"
    "CREATE TABLE baseline_peaks(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " scenario TEXT NOT NULL, peak_heap_bytes INTEGER NOT NULL, peak_heap_bytes_2x INTEGER NOT NULL,"
    " peak_rss_kib INTEGER NOT NULL, PRIMARY KEY(run_id, scenario));",
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

int IntOf(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int>() : 0;
}

std::string StringOf(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
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

namespace {

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
    shards->push_back(StringOf(row, "shard"));
    if (!shards->back().empty() && !StringOf(row, "shard_of").empty()) preset.preset = StringOf(row, "shard_of");
    if (const auto overhead = row.find("overhead"); overhead != row.end() && overhead->is_number()) {
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
void MergeShard(const RecordedPreset& shard, RecordedPreset* into, PresetRows* rows) {
  int* const sums[] = {&into->tests,    &into->failures,        &into->skipped,       &into->cached,
                       &into->canaries, &into->canaries_caught, &into->build_seconds, &into->test_seconds};
  const int adds[] = {shard.tests,    shard.failures,        shard.skipped,       shard.cached,
                      shard.canaries, shard.canaries_caught, shard.build_seconds, shard.test_seconds};
  for (size_t i = 0; i < sizeof adds / sizeof adds[0]; ++i) *sums[i] += adds[i];
  into->wall_seconds = std::max(into->wall_seconds, shard.wall_seconds);
  if (into->result == "ok") into->result = shard.result;
  rows->every_overhead = rows->every_overhead && shard.overhead && *shard.overhead > 0;
  if (rows->every_overhead) {
    rows->test_seconds += shard.test_seconds;
    rows->fast_seconds += shard.test_seconds / *shard.overhead;
  }
  into->overhead = rows->every_overhead && rows->fast_seconds > 0
                       ? std::optional<double>(rows->test_seconds / rows->fast_seconds)
                       : std::nullopt;
}

// "I/N" -> I and N; false for anything else.
bool ParseShardText(const std::string& text, int* index, int* count) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  *index = std::atoi(text.substr(0, slash).c_str());
  *count = std::atoi(text.substr(slash + 1).c_str());
  return *index >= 1 && *index <= *count;
}

// Puts one report's preset row into the run: a new preset, or a further shard of one.
// False, with the reason, for a preset (or shard) that two reports hold.
bool AddPresetRow(RecordedPreset preset, const std::string& shard, const std::string& dir, RunRecord* run,
                  std::map<std::string, PresetRows>* presets, std::string* error) {
  int index = 0, count = 0;
  const bool sharded = !shard.empty() && ParseShardText(shard, &index, &count);
  const auto known = presets->find(preset.preset);
  if (known == presets->end()) {
    PresetRows rows{run->presets.size(), dir, sharded ? count : 0, {}};
    if (sharded) {
      rows.shards.insert(index);
      rows.every_overhead = preset.overhead && *preset.overhead > 0;
      if (rows.every_overhead) {
        rows.test_seconds = preset.test_seconds;
        rows.fast_seconds = preset.test_seconds / *preset.overhead;
      }
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
  // Three reads in all, whatever the number of runs: a dashboard of 1,000 runs must not
  // cost 2,000 queries.
  Statement presets(db_, std::string("SELECT run_id, ") + kPresetColumns + " FROM preset_runs ORDER BY run_id, preset");
  Statement findings(
      db_, std::string("SELECT run_id, ") + kFindingColumns + " FROM findings ORDER BY run_id, file, line, kind");
  Statement peaks(db_,
                  "SELECT run_id, scenario, peak_heap_bytes, peak_heap_bytes_2x, peak_rss_kib FROM baseline_peaks "
                  "ORDER BY run_id, scenario");
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
