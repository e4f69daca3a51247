#include "check/result_cache.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

using json = nlohmann::json;

// `ctest --show-only=json-v1` output for one test running `program`, and a canary.
std::string Listing(const std::string& program, const std::string& environment = "MEMSAFE_X=1") {
  json tests = json::array();
  tests.push_back({{"name", "Suite.Case"},
                   {"command", {"/bin/bash", "/x/memsafe-run.sh", program, "--gtest_filter=Suite.Case"}},
                   {"properties", {{{"name", "ENVIRONMENT"}, {"value", {environment}}}}}});
  tests.push_back({{"name", "planted"},
                   {"command", {program}},
                   {"properties", {{{"name", "LABELS"}, {"value", {"canary", "canary-address"}}}}}});
  return json{{"kind", "ctestInfo"}, {"tests", tests}}.dump();
}

std::string KeyOf(const std::string& listing, const CacheContext& context, const std::string& test) {
  std::string error;
  const auto tests = ListTests(listing, context, &error);
  EXPECT_TRUE(tests) << error;
  return tests ? tests->at(test).key : "";
}

TEST(ResultCacheTest, AKeyChangesWithEverythingTheTestDependsOn) {
  testing::ScratchDir dir;
  const std::string program = dir.Write("test_program", "version 1");
  const std::string options = dir.Write("sanitizers/options.txt", "asan detect_leaks=1  # reason");
  CacheContext context{{options}, "preset asan"};
  const std::string listing = Listing(program);
  const std::string key = KeyOf(listing, context, "Suite.Case");
  EXPECT_EQ(KeyOf(listing, context, "Suite.Case"), key) << "same inputs, same key";

  dir.Write("test_program", "version 2");  // rebuilt
  EXPECT_NE(KeyOf(listing, context, "Suite.Case"), key);
  dir.Write("test_program", "version 1");
  EXPECT_EQ(KeyOf(listing, context, "Suite.Case"), key);

  dir.Write("sanitizers/options.txt", "asan detect_leaks=1  # another reason");  // options or suppressions
  EXPECT_NE(KeyOf(listing, context, "Suite.Case"), key);
  dir.Write("sanitizers/options.txt", "asan detect_leaks=1  # reason");

  EXPECT_NE(KeyOf(Listing(program, "MEMSAFE_X=2"), context, "Suite.Case"), key) << "environment";
  CacheContext other_tool = context;
  other_tool.extra = "preset asan\nvalgrind-3.20.0";
  EXPECT_NE(KeyOf(listing, other_tool, "Suite.Case"), key) << "tool version";
}

TEST(ResultCacheTest, DeclaredDataFilesAndDirectoriesCount) {
  testing::ScratchDir dir;
  const std::string data = (dir.path() / "testdata").string();
  dir.Write("testdata/reports/one.log", "first");
  const std::string listing =
      json{{"tests",
            {{{"name", "ReportTest.Reads"},
              {"command", {"/bin/true"}},
              {"properties", {{{"name", "ENVIRONMENT"}, {"value", {"MEMSAFE_TEST_DATA=/nonexistent:" + data}}}}}}}}}
          .dump();
  const std::string key = KeyOf(listing, CacheContext{}, "ReportTest.Reads");
  dir.Write("testdata/reports/one.log", "changed");
  EXPECT_NE(KeyOf(listing, CacheContext{}, "ReportTest.Reads"), key) << "a file below a declared directory";
  dir.Write("testdata/reports/one.log", "first");
  EXPECT_EQ(KeyOf(listing, CacheContext{}, "ReportTest.Reads"), key);
  dir.Write("testdata/new.xml", "<x/>");
  EXPECT_NE(KeyOf(listing, CacheContext{}, "ReportTest.Reads"), key) << "a new file";
}

TEST(ResultCacheTest, CanariesAndUncacheableTestsAlwaysRun) {
  testing::ScratchDir dir;
  const std::string program = dir.Write("p", "x");
  std::string error;
  const auto tests = ListTests(Listing(program), CacheContext{}, &error);
  ASSERT_TRUE(tests) << error;
  EXPECT_FALSE(tests->at("Suite.Case").always_run);
  EXPECT_TRUE(tests->at("planted").always_run);
  const std::string uncacheable = json{{"tests",
                                        {{{"name", "consumer.asan"},
                                          {"command", {"/bin/bash", "check_consumer.sh"}},
                                          {"properties", {{{"name", "LABELS"}, {"value", {"memsafe-no-cache"}}}}}}}}}
                                      .dump();
  const auto listed = ListTests(uncacheable, CacheContext{}, &error);
  ASSERT_TRUE(listed) << error;
  EXPECT_TRUE(listed->at("consumer.asan").always_run);
  EXPECT_FALSE(ListTests("not json", CacheContext{}, &error));
}

// A clean run twice in a row under one key (the default), as memsafe's verdict says.
void RecordClean(ResultCache* cache, const std::string& test, const std::string& key, TestOutcome outcome,
                 int times = kCleanRunsNeeded) {
  for (int i = 0; i < times; ++i) {
    cache->Record(test, key, outcome, outcome == TestOutcome::kSkipped ? "skipped" : "clean");
  }
}

TEST(ResultCacheTest, OnlyCleanPassesAndSkipsAreRememberedAndTheFileRoundTrips) {
  testing::ScratchDir dir;
  const std::string path = (dir.path() / "cache.json").string();
  ResultCache cache;
  RecordClean(&cache, "a", "k1", TestOutcome::kPassed);
  RecordClean(&cache, "b", "k2", TestOutcome::kPassed);
  cache.Record("b", "k2", TestOutcome::kFailed, "failed");  // failed this time: forgotten
  RecordClean(&cache, "c", "k3", TestOutcome::kSkipped);
  RecordClean(&cache, "d", "k4", TestOutcome::kSkipped);
  cache.Record("d", "k4", TestOutcome::kCrashed, "failed");
  RecordClean(&cache, "e", "k5", TestOutcome::kSkipped);
  RecordClean(&cache, "e", "k5", TestOutcome::kPassed);  // now runs: a pass, no longer a skip
  for (TestOutcome forgotten : {TestOutcome::kTimeout, TestOutcome::kNotRun, TestOutcome::kDisabled}) {
    RecordClean(&cache, "f", "k6", TestOutcome::kPassed);
    cache.Record("f", "k6", forgotten, "");
    EXPECT_EQ(cache.Remembered("f", "k6"), std::nullopt) << OutcomeName(forgotten);
  }
  ASSERT_TRUE(cache.Save(path));
  std::string unreadable;
  ResultCache loaded = ResultCache::Load(path, &unreadable);
  EXPECT_EQ(unreadable, "");
  EXPECT_EQ(loaded.Remembered("a", "k1"), TestOutcome::kPassed);
  EXPECT_EQ(loaded.Remembered("a", "k-other"), std::nullopt) << "a changed input runs the test";
  EXPECT_EQ(loaded.Remembered("b", "k2"), std::nullopt) << "a failure is forgotten";
  EXPECT_EQ(loaded.Remembered("c", "k3"), TestOutcome::kSkipped) << "a skip is not a pass";
  EXPECT_EQ(loaded.Remembered("c", "k-other"), std::nullopt);
  EXPECT_EQ(loaded.Remembered("d", "k4"), std::nullopt);
  EXPECT_EQ(loaded.Remembered("e", "k5"), TestOutcome::kPassed) << "a later pass replaces the skip";
  EXPECT_EQ(loaded.size(), 3u);

  dir.Write("broken.json", "{\"version\": 2, \"results\": [");
  EXPECT_EQ(ResultCache::Load((dir.path() / "broken.json").string(), &unreadable).size(), 0u)
      << "a broken cache runs everything";
  EXPECT_NE(unreadable, "") << "and says so";
  dir.Write("old.json", R"({"version": 1, "passed": {"a": "k1"}})");
  unreadable.clear();
  EXPECT_EQ(ResultCache::Load((dir.path() / "old.json").string(), &unreadable).size(), 0u);
  EXPECT_NE(unreadable, "");
  unreadable.clear();
  EXPECT_EQ(ResultCache::Load((dir.path() / "missing.json").string(), &unreadable).size(), 0u);
  EXPECT_EQ(unreadable, "") << "no cache yet is nothing to report";
}

// CTest's outcome can be a pass over a finding (WILL_FAIL, PASS_REGULAR_EXPRESSION):
// only memsafe's verdict makes a run clean.
TEST(ResultCacheTest, APassOverAFindingIsNeverRemembered) {
  ResultCache cache;
  for (int i = 0; i < 10; ++i) cache.Record("will-fail", "k", TestOutcome::kPassed, "finding");
  EXPECT_EQ(cache.Remembered("will-fail", "k"), std::nullopt);
  for (int i = 0; i < 10; ++i) cache.Record("no-verdict", "k", TestOutcome::kPassed, "");
  EXPECT_EQ(cache.Remembered("no-verdict", "k"), std::nullopt) << "killed before its verdict";
  for (int i = 0; i < 10; ++i) cache.Record("own-failure", "k", TestOutcome::kPassed, "failed");
  EXPECT_EQ(cache.Remembered("own-failure", "k"), std::nullopt) << "WILL_FAIL over an exit status 1";
  for (int i = 0; i < 10; ++i) cache.Record("skip-regex", "k", TestOutcome::kSkipped, "clean");
  EXPECT_EQ(cache.Remembered("skip-regex", "k"), std::nullopt) << "a skip memsafe did not see";
}

// A bug that shows now and then must not hide behind one lucky run.
TEST(ResultCacheTest, ATestIsLeftOutOnlyAfterCleanRunsInARow) {
  ResultCache cache;
  cache.Record("t", "k", TestOutcome::kPassed, "clean");
  EXPECT_EQ(cache.Remembered("t", "k"), std::nullopt) << "one clean run may be luck";
  cache.Record("t", "k", TestOutcome::kPassed, "clean");
  EXPECT_EQ(cache.Remembered("t", "k"), TestOutcome::kPassed);
  EXPECT_EQ(cache.Remembered("t", "k", kCleanRunsNeededThread), std::nullopt) << "TSan wants more";
  cache.Record("t", "k", TestOutcome::kPassed, "clean");
  EXPECT_EQ(cache.Remembered("t", "k", kCleanRunsNeededThread), TestOutcome::kPassed);
  // A finding under the key: kCleanRunsAfterAFinding clean runs in a row before it is
  // left out again; another key starts afresh.
  cache.Record("t", "k", TestOutcome::kFailed, "finding");
  for (int i = 1; i < kCleanRunsAfterAFinding; ++i) {
    cache.Record("t", "k", TestOutcome::kPassed, "clean");
    EXPECT_EQ(cache.Remembered("t", "k"), std::nullopt) << i << " clean runs after a finding";
  }
  cache.Record("t", "k", TestOutcome::kPassed, "clean");
  EXPECT_EQ(cache.Remembered("t", "k"), TestOutcome::kPassed);
  cache.Record("t", "k2", TestOutcome::kPassed, "clean");
  EXPECT_EQ(cache.Remembered("t", "k2"), std::nullopt);
}

TEST(ResultCacheTest, AFindingIsRememberedThroughLaterFailuresUnderItsKey) {
  ResultCache cache;
  cache.Record("t", "k", TestOutcome::kFailed, "finding");
  cache.Record("t", "k", TestOutcome::kTimeout, "timeout");
  for (int i = 0; i < kCleanRunsNeeded; ++i) cache.Record("t", "k", TestOutcome::kPassed, "clean");
  EXPECT_EQ(cache.Remembered("t", "k"), std::nullopt) << "a timeout does not wipe the finding";
}

// What the test's processes loaded is part of what it depends on: a plugin it dlopen()s
// or a library LD_LIBRARY_PATH found, changed after its clean runs, runs it again; a run
// whose record is incomplete is no proof.
TEST(ResultCacheTest, TheFilesATestLoadedAreCheckedBeforeItIsLeftOut) {
  testing::ScratchDir dir;
  const std::string plugin = dir.Write("plugin.so", "version 1");
  LoadedObjects loaded;
  loaded.complete = true;
  loaded.programs = {"/bin/true"};
  loaded.objects = {"/bin/true", plugin};
  ResultCache cache;
  for (int i = 0; i < kCleanRunsNeeded; ++i) cache.Record("t", "k", TestOutcome::kPassed, "clean", &loaded);
  EXPECT_EQ(cache.Remembered("t", "k"), TestOutcome::kPassed);
  // Each change below is seen by the next run (fingerprints are taken once a run).
  dir.Write("plugin.so", "version 2");
  cache.ForgetFingerprints();
  EXPECT_EQ(cache.Remembered("t", "k"), std::nullopt) << "the plugin changed";
  dir.Write("plugin.so", "version 1");
  cache.ForgetFingerprints();
  EXPECT_EQ(cache.Remembered("t", "k"), TestOutcome::kPassed) << "back as it was";
  const std::string path = (dir.path() / "cache.json").string();
  ASSERT_TRUE(cache.Save(path));
  ResultCache again = ResultCache::Load(path);
  EXPECT_EQ(again.Remembered("t", "k"), TestOutcome::kPassed);
  std::filesystem::remove(plugin);
  again.ForgetFingerprints();
  EXPECT_EQ(again.Remembered("t", "k"), std::nullopt) << "the plugin is gone";

  // Other files this time (another library found): the runs in a row start again.
  dir.Write("plugin.so", "version 1");
  cache.ForgetFingerprints();
  LoadedObjects other = loaded;
  other.objects.push_back(dir.Write("libextra.so", "x"));
  cache.Record("t", "k", TestOutcome::kPassed, "clean", &other);
  EXPECT_EQ(cache.Remembered("t", "k"), std::nullopt);
  cache.Record("t", "k", TestOutcome::kPassed, "clean", &other);
  EXPECT_EQ(cache.Remembered("t", "k"), TestOutcome::kPassed);

  LoadedObjects incomplete = loaded;
  incomplete.complete = false;
  incomplete.why = "the record is not whole";
  for (int i = 0; i < 5; ++i) cache.Record("u", "k", TestOutcome::kPassed, "clean", &incomplete);
  EXPECT_EQ(cache.Remembered("u", "k"), std::nullopt) << "what it loaded is not known";
  cache.Record("t", "k", TestOutcome::kPassed, "clean", &incomplete);
  EXPECT_EQ(cache.Remembered("t", "k"), std::nullopt) << "one incomplete record forgets the clean runs";

  // A file the run loaded and deleted (a copy of a plugin from elsewhere) cannot be
  // compared later: the run does not count, and memsafe check can say why.
  LoadedObjects deleted = loaded;
  deleted.objects.push_back((dir.path() / "copy-gone.so").string());
  for (int i = 0; i < 5; ++i) cache.Record("v", "k", TestOutcome::kPassed, "clean", &deleted);
  EXPECT_EQ(cache.Remembered("v", "k"), std::nullopt);
  EXPECT_NE(cache.UncountedWhy("v").find("copy-gone.so was gone"), std::string::npos) << cache.UncountedWhy("v");
  EXPECT_EQ(cache.UncountedWhy("t"), "the record is not whole") << "the reason of the incomplete record";
}

TEST(ResultCacheTest, AHandEditedCacheIsUnreadableNotACrash) {
  testing::ScratchDir dir;
  std::string unreadable;
  dir.Write("a.json", R"({"version": "2", "results": {}})");
  EXPECT_EQ(ResultCache::Load((dir.path() / "a.json").string(), &unreadable).size(), 0u);
  EXPECT_NE(unreadable, "");
  dir.Write("b.json", R"({"version": 2, "results": {"t": {"key": "k", "outcome": "passed", "clean_runs": "9",
                                                          "finding_seen": false}}})");
  ResultCache cache = ResultCache::Load((dir.path() / "b.json").string(), &unreadable);
  EXPECT_EQ(cache.Remembered("t", "k"), std::nullopt) << "an entry that is not whole proves nothing";
  dir.Write("c.json", R"({"version": 2, "results": {"t": {"key": "k", "outcome": "passed", "clean_runs": 9,
                                                          "finding_seen": false}}})");
  ResultCache without_loaded = ResultCache::Load((dir.path() / "c.json").string(), &unreadable);
  EXPECT_EQ(without_loaded.Remembered("t", "k"), std::nullopt) << "no record of what it loaded";
}

TEST(ResultCacheTest, WhetherATestRunsThroughTheLauncherAndWhatCanAlterItsOutcome) {
  std::string error;
  const auto tests = ListTests(
      json{{"tests",
            {{{"name", "launched"}, {"command", {"/bin/bash", "/x/memsafe-run.sh", "--name", "launched", "/bin/true"}}},
             {{"name", "own"}, {"command", {"/bin/true"}}},
             {{"name", "inverted"},
              {"command", {"/bin/true"}},
              {"properties", {{{"name", "WILL_FAIL"}, {"value", true}}}}},
             {{"name", "regex"},
              {"command", {"/bin/true"}},
              {"properties", {{{"name", "PASS_REGULAR_EXPRESSION"}, {"value", {"done"}}}}}}}}}
          .dump(),
      CacheContext{}, &error);
  ASSERT_TRUE(tests) << error;
  EXPECT_TRUE(tests->at("launched").launched);
  EXPECT_FALSE(tests->at("own").launched);
  EXPECT_FALSE(tests->at("own").outcome_altered);
  EXPECT_TRUE(tests->at("inverted").outcome_altered);
  EXPECT_TRUE(tests->at("regex").outcome_altered);
}

TEST(ResultCacheTest, TestsOfOneNameAreFound) {
  const std::string listing = json{{"tests",
                                    {{{"name", "x"}, {"command", {"/bin/true"}}},
                                     {{"name", "y"}, {"command", {"/bin/true"}}},
                                     {{"name", "x"}, {"command", {"/bin/false"}}}}}}
                                  .dump();
  EXPECT_EQ(DuplicateTestNames(listing), std::vector<std::string>{"x"});
}

TEST(ResultCacheTest, LauncherVerdictsArePairedWithTheirCommands) {
  testing::ScratchDir dir;
  dir.Write("logs/a.asan.argv", std::string("run.sh\0--name\0a\0/bin/a\0", 23));
  dir.Write("logs/a.asan.verdict", "clean\n");
  dir.Write("logs/b.asan.argv", std::string("run.sh\0--name\0b\0/bin/b\0", 23));  // killed: no verdict
  dir.Write("logs/c1.asan.argv", std::string("run.sh\0/bin/c\0", 14));
  dir.Write("logs/c1.asan.verdict", "clean\n");
  dir.Write("logs/c2.asan.argv", std::string("run.sh\0/bin/c\0", 14));
  dir.Write("logs/c2.asan.verdict", "finding\n");
  const std::map<std::string, LauncherRun> verdicts = LauncherVerdicts((dir.path() / "logs").string());
  EXPECT_EQ(verdicts.at(std::string("run.sh\0--name\0a\0/bin/a", 22)).verdict, "clean");
  EXPECT_EQ(verdicts.at(std::string("run.sh\0--name\0a\0/bin/a", 22)).prefix,
            (dir.path() / "logs" / "a.asan").string());
  EXPECT_EQ(verdicts.at(std::string("run.sh\0--name\0b\0/bin/b", 22)).verdict, "");
  EXPECT_EQ(verdicts.at(std::string("run.sh\0/bin/c", 13)).verdict, "failed") << "one command, two verdicts";
  std::string error;
  const auto tests = ListTests(
      json{{"tests", {{{"name", "a"}, {"command", {"/bin/bash", "run.sh", "--name", "a", "/bin/a"}}}}}}.dump(),
      CacheContext{}, &error);
  ASSERT_TRUE(tests) << error;
  EXPECT_EQ(tests->at("a").command, std::string("run.sh\0--name\0a\0/bin/a", 22));
}

// Whatever can reach a test changes its key: the files its arguments name however they
// name them, the whole environment of the run, a file rewritten at the same size with
// its old modification time.
TEST(ResultCacheTest, UndeclaredButVisibleInputsChangeTheKey) {
  testing::ScratchDir dir;
  const std::string input = dir.Write("data/input.txt", "fine");
  dir.Write("work/relative.txt", "fine");
  const std::string big = dir.Write("data/big.bin", std::string(2 << 20, 'a'));
  const std::string listing =
      json{{"tests",
            {{{"name", "t"},
              {"command", {"/bin/true", "--input=" + input, "relative.txt", big}},
              {"properties", {{{"name", "WORKING_DIRECTORY"}, {"value", (dir.path() / "work").string()}}}}}}}}
          .dump();
  std::map<std::string, std::pair<std::string, std::string>> contents;
  CacheContext context;
  context.contents = &contents;
  const std::string key = KeyOf(listing, context, "t");
  EXPECT_EQ(KeyOf(listing, context, "t"), key);

  dir.Write("data/input.txt", "bug!");
  EXPECT_NE(KeyOf(listing, context, "t"), key) << "--opt=/path";
  dir.Write("data/input.txt", "fine");
  dir.Write("work/relative.txt", "bug!");
  EXPECT_NE(KeyOf(listing, context, "t"), key) << "a relative path, from WORKING_DIRECTORY";
  dir.Write("work/relative.txt", "fine");
  EXPECT_EQ(KeyOf(listing, context, "t"), key);

  struct stat before {};
  ASSERT_EQ(stat(big.c_str(), &before), 0);
  {
    std::fstream file(big, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(1000);
    file.put('b');
  }
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, big.c_str(), times, 0), 0);  // touch -r: the old modification time
  EXPECT_NE(KeyOf(listing, context, "t"), key) << "rewritten in place at the same size, mtime put back";

  // memsafe check folds the whole environment of the run into every key.
  const std::string environment = RunEnvironment();
  setenv("HP_MODE", "bug", 1);
  EXPECT_NE(RunEnvironment(), environment) << "any variable of the run's environment";
  unsetenv("HP_MODE");
  EXPECT_EQ(RunEnvironment(), environment);
  setenv("OLDPWD", "/somewhere/else", 1);
  setenv("SHLVL", "7", 1);
  EXPECT_EQ(RunEnvironment(), environment) << "the shell's bookkeeping is left out";
}

// More ways a command line or a test's properties name a file.
TEST(ResultCacheTest, FilesNamedInEveryFormCount) {
  testing::ScratchDir dir;
  const std::string work = (dir.path() / "work").string();
  dir.Write("short.txt", "a");
  dir.Write("plain.txt", "a");
  dir.Write("envfile.txt", "a");
  dir.Write("work/required.txt", "a");
  dir.Write("work/cases/one.txt", "a");
  const std::string p = dir.path().string();
  const std::string listing =
      json{{"tests",
            {{{"name", "t"},
              {"command", {"/bin/true", "-i" + p + "/short.txt", "input=" + p + "/plain.txt", "cases"}},
              {"properties",
               {{{"name", "WORKING_DIRECTORY"}, {"value", work}},
                {{"name", "ENVIRONMENT"}, {"value", {"DATA_FILE=" + p + "/envfile.txt", "PATH=/usr/bin:/bin"}}},
                {{"name", "REQUIRED_FILES"}, {"value", {"required.txt"}}}}}}}}}
          .dump();
  const std::string key = KeyOf(listing, CacheContext{}, "t");
  for (const char* file : {"short.txt", "plain.txt", "envfile.txt", "work/required.txt"}) {
    dir.Write(file, "b");
    EXPECT_NE(KeyOf(listing, CacheContext{}, "t"), key) << file;
    dir.Write(file, "a");
    EXPECT_EQ(KeyOf(listing, CacheContext{}, "t"), key) << file;
  }
  // A directory on the command line may be the test's input or its output: not read
  // file by file, and the test always runs.
  std::string error;
  const auto tests = ListTests(listing, CacheContext{}, &error);
  ASSERT_TRUE(tests) << error;
  EXPECT_TRUE(tests->at("t").always_run);
  EXPECT_NE(tests->at("t").uncached_why.find("names the directory"), std::string::npos) << tests->at("t").uncached_why;
}

TEST(ResultCacheTest, AnInterpreterOnTheCommandLineIsNeverCached) {
  std::string error;
  for (const char* program : {"/bin/sh", "python3", "/usr/bin/cmake", "perl5.36"}) {
    const auto tests = ListTests(
        json{{"tests",
              {{{"name", "t"},
                {"command",
                 {"/bin/bash", "/x/memsafe-run.sh", "--name", "t", "--", program, "-c", "./prog < in.txt"}}}}}}
            .dump(),
        CacheContext{}, &error);
    ASSERT_TRUE(tests) << error;
    EXPECT_TRUE(tests->at("t").always_run) << program;
  }
}

TEST(ResultCacheTest, AScriptThatRunsProgramsIsNeverCached) {
  testing::ScratchDir dir;
  const std::string script = dir.Write("run_all.sh", "#!/bin/sh\n./prog < in.txt\n");
  const std::string launcher = dir.Write("memsafe-run.sh", "#!/bin/bash\n");
  std::string error;
  const auto tests =
      ListTests(json{{"tests",
                      {{{"name", "scripted"}, {"command", {"/bin/bash", launcher, "--name", "scripted", script}}},
                       {{"name", "plain"}, {"command", {"/bin/bash", launcher, "--name", "plain", "/bin/true"}}}}}}
                    .dump(),
                CacheContext{}, &error);
  ASSERT_TRUE(tests) << error;
  EXPECT_TRUE(tests->at("scripted").always_run);
  EXPECT_NE(tests->at("scripted").uncached_why.find("runs the script"), std::string::npos);
  EXPECT_FALSE(tests->at("plain").always_run) << "memsafe's own launcher is a script it knows";
  // A script test that declares what it reads and runs (DATA) is trusted with it.
  const auto declared =
      ListTests(json{{"tests",
                      {{{"name", "d"},
                        {"command", {"/bin/bash", launcher, "--name", "d", script}},
                        {"properties", {{{"name", "ENVIRONMENT"}, {"value", {"MEMSAFE_TEST_DATA=" + script}}}}}}}}}
                    .dump(),
                CacheContext{}, &error);
  ASSERT_TRUE(declared) << error;
  EXPECT_FALSE(declared->at("d").always_run) << declared->at("d").uncached_why;
  // A script among the launcher's own options (Debian's /usr/bin/valgrind is one) is the
  // launcher's business, not the test's.
  const auto valgrind = ListTests(
      json{{"tests",
            {{{"name", "v"}, {"command", {"/bin/bash", launcher, "--valgrind", script, "--name", "v", "/bin/true"}}}}}}
          .dump(),
      CacheContext{}, &error);
  ASSERT_TRUE(valgrind) << error;
  EXPECT_FALSE(valgrind->at("v").always_run) << valgrind->at("v").uncached_why;
}

TEST(ResultCacheTest, ProgramsReplacedWhileTestsRunAreFound) {
  testing::ScratchDir dir;
  const std::string program = dir.Write("bin/pool_test", std::string("\x7f"
                                                                     "ELF first build"));
  const std::string other = dir.Write("bin/report_test", std::string("\x7f"
                                                                     "ELF"));
  const std::string data = dir.Write("out/result.json", "{}");  // a file a test rewrites itself
  const std::string listing =
      json{{"tests",
            {{{"name", "a"}, {"command", {"/bin/bash", "run.sh", program, "--gtest_filter=A.*"}}},
             {{"name", "b"}, {"command", {other, "--out", data, "relative/path"}}}}}}
          .dump();
  const std::map<std::string, std::string> stamps = ProgramStamps(listing);
  EXPECT_TRUE(stamps.count(program));
  EXPECT_TRUE(stamps.count(other));
  EXPECT_FALSE(stamps.count(data)) << "not a program";
  EXPECT_TRUE(ChangedPrograms(stamps).empty());

  dir.Write("out/result.json", "{\"rewritten\": true}");
  EXPECT_TRUE(ChangedPrograms(stamps).empty()) << "a data file the test writes is not a program";
  // A relink writes a new file and renames it over the old one.
  const std::string relinked = dir.Write("bin/pool_test.tmp", std::string("\x7f"
                                                                          "ELF second build!"));
  std::filesystem::rename(relinked, program);
  EXPECT_EQ(ChangedPrograms(stamps), std::vector<std::string>{program});
  std::filesystem::remove(other);
  EXPECT_EQ(ChangedPrograms(stamps), (std::vector<std::string>{program, other}));
  EXPECT_TRUE(ProgramStamps("not json").empty());
}

TEST(ResultCacheTest, NamesBecomeAnExactRegex) {
  EXPECT_EQ(ExactNamesRegex({"Suite.Case", "a(b)+c"}), "^(Suite\\.Case|a\\(b\\)\\+c)$");
  EXPECT_EQ(Fingerprint("/nonexistent/memsafe-file"), "missing");
}

}  // namespace
}  // namespace memsafe::tools
