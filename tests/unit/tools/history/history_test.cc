#include "history/history.h"

#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "baseline.h"
#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

using testing::ScratchDir;

// A findings.json entry as memsafe report writes it.
std::string FindingJson(const std::string& signature, const std::string& kind, const std::string& file, int line) {
  return R"({"signature": ")" + signature + R"(", "kind": ")" + kind + R"(", "location": {"file": ")" + file +
         R"(", "line": )" + std::to_string(line) +
         R"(, "function": "f"}, "tools": ["asan"], "presets": ["asan"], "tests": ["t"], "occurrences": 1})";
}

// A report directory of one memsafe check run with these findings; its path.
std::string WriteReport(const ScratchDir& dir, const std::string& name, const std::vector<std::string>& findings) {
  std::string list;
  for (const std::string& finding : findings) list += (list.empty() ? "" : ", ") + finding;
  dir.Write(name + "/this-run/summary.json",
            R"({"presets": [{"preset": "asan", "tools": "address", "result": "ok", "tests": 9, "failures": 0,
                "canaries": 8, "canaries_caught": 8, "build_seconds": 3, "test_seconds": 2, "wall_seconds": 5}]})");
  dir.Write(name + "/this-run/findings.json", R"({"findings": [)" + list + "]}");
  return (dir.path() / name).string();
}

bool RecordReport(History& history, const std::string& report, const std::string& commit, std::string* error) {
  std::optional<RunRecord> run = ReadRunReports({report}, commit, "2026-12-0" + commit.substr(1) + "T00:00:00Z", error);
  return run && history.Record(*run, error);
}

std::vector<std::string> Signatures(const std::vector<DiffEntry>& entries) {
  std::vector<std::string> signatures;
  for (const DiffEntry& entry : entries) signatures.push_back(entry.finding.signature);
  return signatures;
}

// The five commits of the issue: clean, unrelated, a leak, unrelated, the leak fixed.
TEST(HistoryTest, ANewFindingIsNewThenKnownSinceItsCommitThenFixed) {
  ScratchDir dir;
  const std::string leak = FindingJson("00000000000000aa", "memory-leak", "src/lib.c", 12);
  std::string error;
  std::unique_ptr<History> history = History::Open((dir.path() / "h.db").string(), &error, true);
  ASSERT_TRUE(history) << error;
  const std::vector<std::vector<std::string>> runs = {{}, {}, {leak}, {leak}, {}};
  std::vector<HistoryDiff> diffs;
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string commit = "c" + std::to_string(i + 1);
    ASSERT_TRUE(RecordReport(*history, WriteReport(dir, commit, runs[i]), commit, &error)) << error;
    std::optional<HistoryDiff> diff = history->Diff("", &error);
    ASSERT_TRUE(diff) << error;
    diffs.push_back(std::move(*diff));
  }
  EXPECT_EQ(diffs[0].base.id, 0);
  EXPECT_TRUE(diffs[1].added.empty());
  EXPECT_EQ(Signatures(diffs[2].added), std::vector<std::string>{"00000000000000aa"});
  EXPECT_TRUE(diffs[3].added.empty());
  ASSERT_EQ(diffs[3].known.size(), 1u);
  EXPECT_EQ(diffs[3].known[0].first_commit, "c3");
  EXPECT_EQ(diffs[3].known[0].finding.file, "src/lib.c");
  EXPECT_EQ(diffs[3].known[0].finding.line, 12);
  ASSERT_EQ(diffs[4].fixed.size(), 1u);
  EXPECT_EQ(diffs[4].fixed[0].last_commit, "c4");
  EXPECT_TRUE(diffs[4].known.empty());
  // Against a named commit: the run of c2, before the leak.
  std::optional<HistoryDiff> since = history->Diff("c2", &error);
  ASSERT_TRUE(since) << error;
  EXPECT_EQ(since->base.commit, "c2");
  EXPECT_TRUE(since->added.empty() && since->fixed.empty());
  EXPECT_FALSE(history->Diff("c9", &error));
  EXPECT_NE(error.find("no run of commit c9"), std::string::npos) << error;
  const std::string text = FormatHistoryDiff(diffs[3]);
  EXPECT_NE(text.find("KNOWN: 1\n  memory-leak at src/lib.c:12 [00000000000000aa] (asan); first seen in c3"),
            std::string::npos)
      << text;
  EXPECT_NE(FormatHistoryDiffJson(diffs[2]).find(R"("new": [)"), std::string::npos);
}

TEST(HistoryTest, AReportThatIsNotMemsafesRecordsNothing) {
  ScratchDir dir;
  std::string error;
  EXPECT_FALSE(ReadRunReports({(dir.path() / "none").string()}, "c", "t", &error));
  EXPECT_NE(error.find("summary.json"), std::string::npos) << error;
  const std::string other = WriteReport(dir, "other", {});
  dir.Write("other/this-run/findings.json", R"({"runs": []})");  // SARIF-like, not memsafe report's JSON
  EXPECT_FALSE(ReadRunReports({other}, "c", "t", &error));
  EXPECT_NE(error.find("not memsafe check's"), std::string::npos) << error;
  dir.Write("other/this-run/findings.json", "<xml/>");
  EXPECT_FALSE(ReadRunReports({other}, "c", "t", &error));
  const std::string twice = WriteReport(
      dir, "twice", {FindingJson("00000000000000aa", "k", "f", 1), FindingJson("00000000000000aa", "k", "f", 1)});
  EXPECT_FALSE(ReadRunReports({twice}, "c", "t", &error));
}

TEST(HistoryTest, ForeignNewerAndBrokenDatabasesAreRefused) {
  ScratchDir dir;
  std::string error;
  // Another program's SQLite file.
  const std::string foreign = (dir.path() / "foreign.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(foreign.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE notes(x); PRAGMA user_version = 1", nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
  EXPECT_FALSE(History::Open(foreign, &error));
  EXPECT_NE(error.find("not a memsafe history database"), std::string::npos) << error;
  // A newer memsafe's.
  const std::string newer = (dir.path() / "newer.db").string();
  ASSERT_TRUE(History::Open(newer, &error, true)) << error;
  ASSERT_EQ(sqlite3_open(newer.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
  EXPECT_FALSE(History::Open(newer, &error));
  EXPECT_NE(error.find("newer memsafe"), std::string::npos) << error;
  // A text file, and a database cut short.
  EXPECT_FALSE(
      History::Open(dir.Write("text.db", "not a database at all, but long enough to have a header\n"), &error));
  EXPECT_NE(error.find("not a database"), std::string::npos) << error;
  const std::string cut = (dir.path() / "cut.db").string();
  {
    std::unique_ptr<History> history = History::Open(cut, &error, true);
    ASSERT_TRUE(history) << error;
    for (int i = 1; i <= 9; ++i) {
      std::vector<std::string> findings;
      for (int j = 0; j < 200; ++j) findings.push_back(FindingJson(std::to_string(100000 + i * 1000 + j), "k", "f", j));
      ASSERT_TRUE(
          RecordReport(*history, WriteReport(dir, "r" + std::to_string(i), findings), "c" + std::to_string(i), &error))
          << error;
    }
  }
  std::filesystem::resize_file(cut, std::filesystem::file_size(cut) / 2);
  std::unique_ptr<History> history = History::Open(cut, &error);
  EXPECT_TRUE(!history || !history->Diff("", &error)) << "a database cut in half was read without an error";
}

// Two writers at once: each run is recorded whole, none is lost.
TEST(HistoryTest, TwoWritersAtOnceLoseNothing) {
  ScratchDir dir;
  const std::string path = (dir.path() / "h.db").string();
  const std::string report = WriteReport(dir, "r", {FindingJson("00000000000000aa", "k", "f", 1)});
  std::string error;
  ASSERT_TRUE(History::Open(path, &error, true)) << error;
  const auto writer = [&path, &report](std::string* failure) {
    std::string why;
    std::unique_ptr<History> history = History::Open(path, &why, true);
    for (int i = 0; history && i < 20; ++i) {
      if (!RecordReport(*history, report, "c1", &why)) break;
    }
    *failure = why;
  };
  std::string first, second;
  std::thread a(writer, &first), b(writer, &second);
  a.join();
  b.join();
  EXPECT_EQ(first, "");
  EXPECT_EQ(second, "");
  std::unique_ptr<History> history = History::Open(path, &error);
  ASSERT_TRUE(history) << error;
  const std::optional<std::vector<RunRecord>> runs = history->Runs(&error);
  ASSERT_TRUE(runs) << error;
  EXPECT_EQ(runs->size(), 40u);
}

// Code scanning shows what the diff says: new, unchanged, and the fixed one as absent.
TEST(HistoryTest, SarifResultsGetTheirBaselineState) {
  HistoryDiff diff;
  diff.added.push_back({{"00000000000000aa", "memory-leak", "src/a.c", 3, "f", {}, {}, {}, 1}, "c3", "t3", "c3", "t3"});
  diff.known.push_back({{"00000000000000bb", "data-race", "src/b.c", 4, "g", {}, {}, {}, 1}, "c1", "t1", "c3", "t3"});
  diff.fixed.push_back(
      {{"00000000000000cc", "heap-buffer-overflow", "src/c.c", 5, "h", {}, {}, {}, 1}, "c1", "t1", "c2", "t2"});
  std::string sarif = R"({"version": "2.1.0", "runs": [{"results": [
      {"ruleId": "memory-leak", "partialFingerprints": {"memsafeSignature/v1": "00000000000000aa"}},
      {"ruleId": "data-race", "partialFingerprints": {"memsafeSignature/v1": "00000000000000bb"}},
      {"ruleId": "other", "partialFingerprints": {"memsafeSignature/v1": "00000000000000dd"}}]}]})";
  std::string error;
  ASSERT_TRUE(MarkSarifBaseline(diff, &sarif, &error)) << error;
  const nlohmann::json marked = nlohmann::json::parse(sarif);
  const nlohmann::json& results = marked["runs"][0]["results"];
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0]["baselineState"], "new");
  EXPECT_EQ(results[1]["baselineState"], "unchanged");
  EXPECT_FALSE(results[2].contains("baselineState"));  // not a finding of the recorded run
  EXPECT_EQ(results[3]["baselineState"], "absent");
  EXPECT_EQ(results[3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "src/c.c");
  std::string not_sarif = R"({"findings": []})";
  EXPECT_FALSE(MarkSarifBaseline(diff, &not_sarif, &error));
}

// A run whose preset did not check (its build failed: no tests, no canary) shows no
// finding of that preset: nothing it reported before is fixed, and the run is incomplete.
TEST(HistoryTest, AFindingOfAPresetThatDidNotCheckIsNotFixed) {
  ScratchDir dir;
  std::string error;
  std::unique_ptr<History> history = History::Open((dir.path() / "h.db").string(), &error, true);
  ASSERT_TRUE(history) << error;
  ASSERT_TRUE(
      RecordReport(*history, WriteReport(dir, "c1", {FindingJson("00000000000000aa", "k", "f", 1)}), "c1", &error))
      << error;
  const std::string broken = WriteReport(dir, "c2", {});
  dir.Write("c2/this-run/summary.json",
            R"({"presets": [{"preset": "asan", "tools": "address", "result": "build failed", "tests": 0,
                "canaries": 0, "canaries_caught": 0}]})");
  ASSERT_TRUE(RecordReport(*history, broken, "c2", &error)) << error;
  const std::optional<HistoryDiff> diff = history->Diff("", &error);
  ASSERT_TRUE(diff) << error;
  EXPECT_TRUE(diff->fixed.empty());
  EXPECT_EQ(Signatures(diff->unconfirmed), std::vector<std::string>{"00000000000000aa"});
  EXPECT_EQ(diff->unchecked_presets, std::vector<std::string>{"asan"});
  EXPECT_NE(FormatHistoryDiff(*diff).find("INCOMPLETE: asan"), std::string::npos);
  // A database that is not there is not created by a reader.
  EXPECT_FALSE(History::Open((dir.path() / "typo.db").string(), &error));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "typo.db"));
}

// The dashboard of the five commits: one point per run in each plot, the open finding
// linked to its file:line, the fixed one listed, and nothing the page would fetch.
TEST(HistoryTest, TheDashboardHasAPointPerRunAndLinksEachFinding) {
  ScratchDir dir;
  std::string error;
  std::unique_ptr<History> history = History::Open((dir.path() / "h.db").string(), &error, true);
  ASSERT_TRUE(history) << error;
  const std::string leak = FindingJson("00000000000000aa", "memory-leak", "src/lib.c", 12);
  const std::vector<std::vector<std::string>> runs = {{}, {}, {leak}, {leak}, {}};
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string commit = "c" + std::to_string(i + 1);
    ASSERT_TRUE(RecordReport(*history, WriteReport(dir, commit, runs[i]), commit, &error)) << error;
  }
  const std::optional<std::vector<RunRecord>> timeline = history->Timeline(&error);
  ASSERT_TRUE(timeline) << error;
  ASSERT_EQ(timeline->size(), 5u);
  EXPECT_EQ((*timeline)[2].findings.size(), 1u);
  EXPECT_EQ((*timeline)[2].presets.size(), 1u);
  const std::string page = FormatHistoryHtml(*timeline, "https://example.org/blob/main/");
  const auto count = [&page](const std::string& text) {
    size_t n = 0;
    for (size_t at = page.find(text); at != std::string::npos; at = page.find(text, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<svg id="), 3u);
  EXPECT_EQ(count("class=\"point\""), 15u);  // 3 plots x 5 runs of the one preset
  EXPECT_EQ(count("<script"), 0u);
  EXPECT_EQ(count("src="), 0u);
  EXPECT_NE(page.find("id=\"open-none\""), std::string::npos);  // the last run has none open
  EXPECT_NE(page.find("<a href=\"https://example.org/blob/main/src/lib.c#L12\">src/lib.c:12</a>"), std::string::npos);
  // Up to the fourth run: the leak is open, first seen in c3.
  const std::vector<RunRecord> four(timeline->begin(), timeline->begin() + 4);
  const std::string earlier = FormatHistoryHtml(four, "");
  EXPECT_NE(earlier.find("<table id=\"open\">"), std::string::npos);
  EXPECT_NE(earlier.find("<td>c3 (2026-12-03T00:00:00Z)</td>"), std::string::npos) << earlier;
}

// memsafe bisect learns a finding's tests and presets from the last run that had it.
TEST(HistoryTest, AFindingIsLookedUpInTheLastRunThatHadIt) {
  ScratchDir dir;
  std::string error;
  std::unique_ptr<History> history = History::Open((dir.path() / "h.db").string(), &error, true);
  ASSERT_TRUE(history) << error;
  ASSERT_TRUE(
      RecordReport(*history, WriteReport(dir, "c1", {FindingJson("00000000000000aa", "k", "f", 1)}), "c1", &error));
  ASSERT_TRUE(
      RecordReport(*history, WriteReport(dir, "c2", {FindingJson("00000000000000aa", "k", "f", 2)}), "c2", &error));
  const std::optional<RecordedFinding> found = history->LastSeen("00000000000000aa", &error);
  ASSERT_TRUE(found) << error;
  EXPECT_EQ(found->line, 2);
  EXPECT_EQ(found->tests, (std::vector<std::string>{"t"}));
  EXPECT_FALSE(history->LastSeen("00000000000000ff", &error));
  EXPECT_EQ(error, "");
}

// The nightly's jobs each leave a report of their preset or shard: one run of them all.
TEST(HistoryTest, ReportsOfSeveralJobsAreOneRun) {
  ScratchDir dir;
  std::string error;
  const std::string leak = FindingJson("00000000000000aa", "memory-leak", "src/lib.c", 12);
  const std::string asan = WriteReport(dir, "asan", {leak, FindingJson("00000000000000bb", "k", "f", 1)});
  const std::string tsan = WriteReport(dir, "tsan", {leak});
  dir.Write("tsan/this-run/summary.json",
            R"({"presets": [{"preset": "tsan", "tools": "thread", "result": "FAILED", "tests": 4, "canaries": 2,
                "canaries_caught": 2, "test_seconds": 8, "overhead": 4.5}]})");
  std::optional<RunRecord> run = ReadRunReports({asan, tsan}, "c1", "2026-12-01T00:00:00Z", &error);
  ASSERT_TRUE(run) << error;
  ASSERT_EQ(run->presets.size(), 2u);
  EXPECT_FALSE(run->presets[0].overhead);  // not in asan's row: not measured, not zero
  ASSERT_TRUE(run->presets[1].overhead);
  EXPECT_DOUBLE_EQ(*run->presets[1].overhead, 4.5);
  ASSERT_EQ(run->findings.size(), 2u);
  EXPECT_EQ(run->findings[0].occurrences, 2);  // the leak, once in each report
  EXPECT_EQ(run->findings[0].presets, (std::vector<std::string>{"asan"}));
  // One job's report twice would count its preset twice.
  EXPECT_FALSE(ReadRunReports({asan, tsan, asan}, "c1", "t", &error));
  EXPECT_NE(error.find("preset 'asan' is in two reports"), std::string::npos) << error;
  EXPECT_FALSE(ReadRunReports({}, "c1", "t", &error));
}

// A preset the nightly spreads over shards is one row of the run, complete or not.
TEST(HistoryTest, TheShardsOfAPresetAreOneRow) {
  ScratchDir dir;
  std::string error;
  const auto shard = [&dir](const std::string& name, const std::string& which, const std::string& result) {
    const std::string report = WriteReport(dir, name, {});
    dir.Write(name + "/this-run/summary.json",
              R"({"presets": [{"preset": "valgrind shard )" + which + R"(", "shard": ")" + which +
                  R"(", "shard_of": "valgrind", "tools": "valgrind", "result": ")" + result +
                  R"(", "tests": 10, "failures": 1, "canaries": 3, "canaries_caught": 3, "test_seconds": 40,
                  "wall_seconds": 50, "overhead": 20.0}]})");
    return report;
  };
  const std::string one = shard("one", "1/2", "ok"), two = shard("two", "2/2", "FAILED");
  std::optional<RunRecord> run = ReadRunReports({one, two}, "c1", "t", &error);
  ASSERT_TRUE(run) << error;
  ASSERT_EQ(run->presets.size(), 1u);
  const RecordedPreset& valgrind = run->presets[0];
  EXPECT_EQ(valgrind.preset, "valgrind");
  EXPECT_EQ(valgrind.result, "FAILED");
  EXPECT_EQ(valgrind.tests, 20);
  EXPECT_EQ(valgrind.canaries, 6);
  EXPECT_EQ(valgrind.test_seconds, 80);
  EXPECT_EQ(valgrind.wall_seconds, 50);
  EXPECT_EQ(valgrind.overhead, std::optional<double>(20.0));
  // One shard missing: the preset did not check all its tests.
  run = ReadRunReports({one}, "c1", "t", &error);
  ASSERT_TRUE(run) << error;
  EXPECT_EQ(run->presets[0].result, "INCOMPLETE: 1 of 2 shards reported");
  // One shard's report twice.
  EXPECT_FALSE(ReadRunReports({one, two, one}, "c1", "t", &error));
  EXPECT_NE(error.find("preset 'valgrind' shard 1/2 is in two reports"), std::string::npos) << error;
}

// Whatever order the reports come in, a shard that did not check makes its preset not
// checked, even behind a shard whose tests failed.
TEST(HistoryTest, AShardThatDidNotCheckOutweighsOneThatFailed) {
  ScratchDir dir;
  std::string error;
  const auto shard = [&dir](const std::string& name, const std::string& which, const std::string& result) {
    const std::string report = WriteReport(dir, name, {});
    dir.Write(name + "/this-run/summary.json", R"({"presets": [{"preset": "v shard )" + which + R"(", "shard": ")" +
                                                   which + R"(", "shard_of": "v", "result": ")" + result +
                                                   R"(", "tests": 4, "canaries": 2,
                  "canaries_caught": 2}]})");
    return report;
  };
  const std::string failed = shard("failed", "1/2", "FAILED"), broken = shard("broken", "2/2", "build failed");
  for (const std::vector<std::string>& order : {std::vector<std::string>{failed, broken}, {broken, failed}}) {
    std::optional<RunRecord> run = ReadRunReports(order, "c1", "t", &error);
    ASSERT_TRUE(run) << error;
    EXPECT_EQ(run->presets[0].result, "build failed");
  }
}

// A preset that ran only some of its tests (memsafe check --test), or whose run cannot be
// trusted whole, says so in its row: what it did not find is not fixed.
TEST(HistoryTest, APresetThatDidNotCheckEverythingIsIncomplete) {
  ScratchDir dir;
  std::string error;
  const std::string report = WriteReport(dir, "r", {});
  dir.Write("r/this-run/summary.json",
            R"({"presets": [{"preset": "asan", "result": "FAILED", "tests": 4, "canaries": 2, "canaries_caught": 2,
                "complete": false}]})");
  std::optional<RunRecord> run = ReadRunReports({report}, "c1", "t", &error);
  ASSERT_TRUE(run) << error;
  EXPECT_EQ(run->presets[0].result, "INCOMPLETE (FAILED)");
}

// A summary.json made by hand or cut short is refused, not recorded as a clean preset.
TEST(HistoryTest, ImpossibleCountsAndShardsAreRefused) {
  ScratchDir dir;
  std::string error;
  for (const char* row :
       {R"("shard": "0/0", "shard_of": "v")", R"("shard": "3/2", "shard_of": "v")",
        R"("shard": "-1/2", "shard_of": "v")", R"("canaries": 4294967298, "canaries_caught": 2)", R"("tests": -1)",
        R"("overhead": -2.5)", R"("canaries": 1, "canaries_caught": 2)", R"("tests": 1.5)"}) {
    const std::string report = WriteReport(dir, "bad", {});
    dir.Write("bad/this-run/summary.json",
              std::string(R"({"presets": [{"preset": "v", "result": "ok", )") + row + "}]}");
    EXPECT_FALSE(ReadRunReports({report}, "c1", "t", &error)) << row;
  }
}

// A preset of the run compared against that this run does not have checked nothing: the
// run is incomplete, and what only that preset found is not fixed.
TEST(HistoryTest, APresetMissingFromTheRunMakesItIncomplete) {
  ScratchDir dir;
  std::string error;
  std::unique_ptr<History> history = History::Open((dir.path() / "h.db").string(), &error, true);
  ASSERT_TRUE(history) << error;
  const std::string both = WriteReport(dir, "both", {FindingJson("00000000000000aa", "data-race", "f", 1)});
  dir.Write("both/this-run/summary.json",
            R"({"presets": [{"preset": "asan", "result": "ok", "tests": 9, "canaries": 8, "canaries_caught": 8},
                {"preset": "tsan", "result": "FAILED", "tests": 9, "canaries": 2, "canaries_caught": 2}]})");
  dir.Write("both/this-run/findings.json", R"({"findings": [{"signature": "00000000000000aa", "kind": "data-race",
            "presets": ["tsan"], "tools": ["tsan"], "tests": ["t"], "occurrences": 1}]})");
  ASSERT_TRUE(RecordReport(*history, both, "c1", &error)) << error;
  ASSERT_TRUE(RecordReport(*history, WriteReport(dir, "asan-only", {}), "c2", &error)) << error;
  const std::optional<HistoryDiff> diff = history->Diff("", &error);
  ASSERT_TRUE(diff) << error;
  EXPECT_EQ(diff->unchecked_presets, (std::vector<std::string>{"tsan"}));
  EXPECT_TRUE(diff->fixed.empty());
  EXPECT_EQ(Signatures(diff->unconfirmed), (std::vector<std::string>{"00000000000000aa"}));
}

// A CI job re-run records its run again: the second recording replaces the first, in
// its place among the runs.
TEST(HistoryTest, ARunRecordedAgainUnderItsKeyReplacesIt) {
  ScratchDir dir;
  std::string error;
  std::unique_ptr<History> history = History::Open((dir.path() / "h.db").string(), &error, true);
  ASSERT_TRUE(history) << error;
  const auto record = [&](const std::string& commit, const std::string& key, const std::vector<std::string>& found) {
    std::optional<RunRecord> run = ReadRunReports({WriteReport(dir, commit + key, found)}, commit, "t", &error);
    if (!run) return false;
    run->key = key;
    return history->Record(*run, &error);
  };
  ASSERT_TRUE(record("c1", "101", {})) << error;
  ASSERT_TRUE(record("c2", "102", {FindingJson("00000000000000aa", "k", "f", 1)})) << error;
  ASSERT_TRUE(record("c2", "102", {FindingJson("00000000000000bb", "k", "f", 2)})) << error;  // re-run
  // An older run again: the diff compares the newest, so the older one's new findings
  // would never be reported. Refused, and nothing changes.
  EXPECT_FALSE(record("c1", "101", {FindingJson("00000000000000cc", "k", "f", 3)}));
  EXPECT_NE(error.find("not the last recorded run"), std::string::npos) << error;
  ASSERT_TRUE(record("c3", "", {})) << error;
  ASSERT_TRUE(record("c4", "", {})) << error;  // no key: a run of its own each time
  const std::optional<std::vector<RunRecord>> timeline = history->Timeline(&error);
  ASSERT_TRUE(timeline) << error;
  ASSERT_EQ(timeline->size(), 4u);
  EXPECT_EQ((*timeline)[0].commit, "c1");
  EXPECT_TRUE((*timeline)[0].findings.empty());
  EXPECT_EQ((*timeline)[1].commit, "c2");
  ASSERT_EQ((*timeline)[1].findings.size(), 1u);
  EXPECT_EQ((*timeline)[1].findings[0].signature, "00000000000000bb");  // the re-run's, not the first's
}

// The suppression entries a run needed are kept with it: what hid findings that night.
TEST(HistoryTest, TheSuppressionsARunNeededAreKept) {
  ScratchDir dir;
  std::string error;
  const std::string asan = WriteReport(dir, "asan", {}), tsan = WriteReport(dir, "tsan", {});
  dir.Write("tsan/this-run/summary.json", R"({"presets": [{"preset": "tsan", "result": "ok", "tests": 3}]})");
  const std::string used = R"({"used": [{"file": "sanitizers/lsan.supp", "line": 5, "entry": "leak:libfoo",
                                 "matches": 2}]})";
  dir.Write("asan/this-run/suppressions.json", used);
  dir.Write("tsan/this-run/suppressions.json", used);
  std::optional<RunRecord> run = ReadRunReports({asan, tsan}, "c1", "t", &error);
  ASSERT_TRUE(run) << error;
  ASSERT_EQ(run->suppressions.size(), 1u);
  EXPECT_EQ(run->suppressions[0].matches, 4);
  std::unique_ptr<History> history = History::Open((dir.path() / "h.db").string(), &error, true);
  ASSERT_TRUE(history && history->Record(*run, &error)) << error;
  const std::optional<std::vector<RunRecord>> timeline = history->Timeline(&error);
  ASSERT_TRUE(timeline) << error;
  ASSERT_EQ((*timeline)[0].suppressions.size(), 1u);
  EXPECT_EQ((*timeline)[0].suppressions[0].entry, "leak:libfoo");
  EXPECT_NE(FormatHistoryHtml(*timeline, "").find("<td>sanitizers/lsan.supp</td><td>leak:libfoo</td><td>4</td>"),
            std::string::npos);
  dir.Write("tsan/this-run/suppressions.json", R"({"used": [{"entry": "leak:x", "matches": 1}]})");
  EXPECT_FALSE(ReadRunReports({tsan}, "c1", "t", &error));  // an entry without its file
}

// A database of the first schema (runs, presets, findings) is upgraded in place: its runs
// stay, and the overhead and baseline peaks of new runs are kept.
TEST(HistoryTest, AnOlderDatabaseIsUpgradedAndKeepsItsRuns) {
  ScratchDir dir;
  const std::string path = (dir.path() / "old.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(
                db,
                "CREATE TABLE runs(id INTEGER PRIMARY KEY, commit_id TEXT NOT NULL, recorded_at TEXT NOT NULL);"
                "CREATE TABLE preset_runs(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, preset TEXT "
                "NOT NULL, tools TEXT NOT NULL, result TEXT NOT NULL, tests INTEGER, failures INTEGER, skipped "
                "INTEGER, cached INTEGER, canaries INTEGER, canaries_caught INTEGER, build_seconds INTEGER, "
                "test_seconds INTEGER, wall_seconds INTEGER, PRIMARY KEY(run_id, preset));"
                "CREATE TABLE findings(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, signature TEXT "
                "NOT NULL, kind TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL, function TEXT NOT NULL, "
                "tools TEXT NOT NULL, presets TEXT NOT NULL, tests TEXT NOT NULL, occurrences INTEGER NOT NULL, "
                "PRIMARY KEY(run_id, signature));"
                "CREATE INDEX findings_by_signature ON findings(signature, run_id);"
                "INSERT INTO runs VALUES(1, 'c1', '2026-12-01T00:00:00Z');"
                "INSERT INTO preset_runs VALUES(1, 'asan', 'address', 'ok', 9, 0, 0, 0, 8, 8, 3, 2, 5);"
                "PRAGMA application_id = 1297303622; PRAGMA user_version = 1;",
                nullptr, nullptr, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
  std::string error;
  std::unique_ptr<History> history = History::Open(path, &error);
  ASSERT_TRUE(history) << error;
  std::optional<RunRecord> run = ReadRunReports({WriteReport(dir, "r", {})}, "c2", "2026-12-02T00:00:00Z", &error);
  ASSERT_TRUE(run) << error;
  run->presets[0].overhead = 2.5;
  run->peaks.push_back({"pool", 4096, 4096, 900});
  ASSERT_TRUE(history->Record(*run, &error)) << error;
  const std::optional<std::vector<RunRecord>> timeline = history->Timeline(&error);
  ASSERT_TRUE(timeline) << error;
  ASSERT_EQ(timeline->size(), 2u);
  EXPECT_EQ((*timeline)[0].commit, "c1");
  EXPECT_FALSE((*timeline)[0].presets.at(0).overhead);
  EXPECT_TRUE((*timeline)[0].peaks.empty());
  EXPECT_EQ((*timeline)[1].presets.at(0).overhead, std::optional<double>(2.5));
  ASSERT_EQ((*timeline)[1].peaks.size(), 1u);
  EXPECT_EQ((*timeline)[1].peaks[0].peak_heap_bytes, 4096);
  // The dashboard plots what was measured, one point per run that measured it.
  const std::string page = FormatHistoryHtml(*timeline, "");
  EXPECT_NE(page.find("<svg id=\"overhead\""), std::string::npos);
  EXPECT_NE(page.find("data-series=\"pool\" data-run=\"2\" data-value=\"4.0\""), std::string::npos) << page;
}

// The peaks `memsafe baseline check --measured` writes, in the baseline file's format.
TEST(HistoryTest, BaselinePeaksAreReadFromTheMeasuredFile) {
  ScratchDir dir;
  BaselineFile file;
  file.scenarios["pool"] = {"pool", 2048, 2048, 700};
  std::string error;
  const std::optional<std::vector<RecordedPeak>> peaks =
      ReadBaselinePeaks(dir.Write("measured.json", WriteBaseline(file)), &error);
  ASSERT_TRUE(peaks) << error;
  ASSERT_EQ(peaks->size(), 1u);
  EXPECT_EQ((*peaks)[0].scenario, "pool");
  EXPECT_EQ((*peaks)[0].peak_rss_kib, 700);
  EXPECT_FALSE(ReadBaselinePeaks(dir.Write("other.json", R"({"runs": []})"), &error));
  EXPECT_FALSE(ReadBaselinePeaks((dir.path() / "missing.json").string(), &error));
}

}  // namespace
}  // namespace memsafe::tools
