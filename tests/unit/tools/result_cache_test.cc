#include "result_cache.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tool_test_support.h"

namespace memsafe::tools {
namespace {

using json = nlohmann::json;

// `ctest --show-only=json-v1` output for one test running `program`, and a canary.
std::string Listing(const std::string& program, const std::string& environment = "MEMSAFE_X=1") {
  json tests = json::array();
  tests.push_back({{"name", "Suite.Case"},
                   {"command", {"/bin/bash", "run.sh", program, "--gtest_filter=Suite.Case"}},
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

TEST(ResultCacheTest, OnlyPassesAndSkipsAreRememberedAndTheFileRoundTrips) {
  testing::ScratchDir dir;
  const std::string path = (dir.path() / "cache.json").string();
  ResultCache cache;
  cache.Record("a", "k1", TestOutcome::kPassed);
  cache.Record("b", "k2", TestOutcome::kPassed);
  cache.Record("b", "k2", TestOutcome::kFailed);  // failed this time: forgotten
  cache.Record("c", "k3", TestOutcome::kSkipped);
  cache.Record("d", "k4", TestOutcome::kSkipped);
  cache.Record("d", "k4", TestOutcome::kCrashed);
  cache.Record("e", "k5", TestOutcome::kSkipped);
  cache.Record("e", "k5", TestOutcome::kPassed);  // now runs: a pass, no longer a skip
  for (TestOutcome forgotten : {TestOutcome::kTimeout, TestOutcome::kNotRun, TestOutcome::kDisabled}) {
    cache.Record("f", "k6", TestOutcome::kPassed);
    cache.Record("f", "k6", forgotten);
    EXPECT_EQ(cache.Remembered("f", "k6"), std::nullopt) << OutcomeName(forgotten);
  }
  ASSERT_TRUE(cache.Save(path));
  const ResultCache loaded = ResultCache::Load(path);
  EXPECT_EQ(loaded.Remembered("a", "k1"), TestOutcome::kPassed);
  EXPECT_EQ(loaded.Remembered("a", "k-other"), std::nullopt) << "a changed input runs the test";
  EXPECT_EQ(loaded.Remembered("b", "k2"), std::nullopt) << "a failure is forgotten";
  EXPECT_EQ(loaded.Remembered("c", "k3"), TestOutcome::kSkipped) << "a skip is not a pass";
  EXPECT_EQ(loaded.Remembered("c", "k-other"), std::nullopt);
  EXPECT_EQ(loaded.Remembered("d", "k4"), std::nullopt);
  EXPECT_EQ(loaded.Remembered("e", "k5"), TestOutcome::kPassed) << "a later pass replaces the skip";
  EXPECT_EQ(loaded.size(), 3u);

  dir.Write("broken.json", "{\"version\": 1, \"passed\": [");
  EXPECT_EQ(ResultCache::Load((dir.path() / "broken.json").string()).size(), 0u) << "a broken cache runs everything";
  EXPECT_EQ(ResultCache::Load((dir.path() / "missing.json").string()).size(), 0u);
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
