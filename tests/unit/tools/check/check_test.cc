#include "check/check.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "check/check_internal.h"
#include "init.h"
#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

using testing::ScratchDir;
using Words = std::vector<std::string>;

TEST(CheckTest, MissingProgramsAreNamedByTheirDebianPackage) {
  EXPECT_EQ(PackageForProgram("cmake"), "cmake");
  EXPECT_EQ(PackageForProgram("ctest"), "cmake");
  EXPECT_EQ(PackageForProgram("ninja"), "ninja-build");
  EXPECT_EQ(PackageForProgram("valgrind"), "valgrind");
  EXPECT_EQ(PackageForProgram("clang++"), "clang");
  EXPECT_EQ(PackageForProgram("clang++-14"), "clang-14");
  EXPECT_EQ(PackageForProgram("/usr/bin/g++-12"), "g++-12");
  EXPECT_EQ(PackageForProgram("gcc"), "gcc");
  EXPECT_EQ(PackageForProgram("some-tool"), "");
}

TestPreset AsanPreset(const std::string& binary_dir) {
  TestPreset preset;
  preset.name = "asan";
  preset.tools = "address,undefined,leak";
  preset.configure_preset = "asan";
  preset.binary_dir = binary_dir;
  preset.has_build_preset = true;
  preset.build_preset = "asan";
  return preset;
}

// The plan of a preset's run, as --dry-run prints it and the run executes it, made
// without CMake: the asan preset of a project directory that has nothing but what the
// case puts there.
struct PlanSetup {
  PlanSetup() : preset(AsanPreset((project.path() / "build" / "asan").string())) {
    context.source = project.path().string();
  }
  ScratchDir project;
  RunContext context;
  TestPreset preset;
};

TEST(CheckPlanTest, TheConfigurePassesThisMemsafeAndTheBuildUsesTheBuildPreset) {
  PlanSetup setup;
  RunContext& context = setup.context;
  TestPreset& preset = setup.preset;
  BuildCommands commands = PlanBuildCommands(preset, context);
  // Not adopted with memsafe init (no sanitizers/memsafe-adopt.cmake): no memsafe_DIR.
  EXPECT_EQ(commands.configure,
            (Words{"cmake", "--preset", "asan", "--no-warn-unused-cli", "-DMEMSAFE_TOOL=" + ToolPath()}));
  EXPECT_FALSE(ToolPath().empty());
  EXPECT_EQ(commands.build, (Words{"cmake", "--build", "--preset", "asan"}));
  // A configure preset without a build preset of its own: its tree is built.
  preset.has_build_preset = false;
  EXPECT_EQ(PlanBuildCommands(preset, context).build, (Words{"cmake", "--build", preset.binary_dir}));
}

TEST(CheckPlanTest, TheQuickRunLeavesTheSlowLabelOutAndTheThoroughOneDoesNot) {
  PlanSetup setup;
  RunContext& context = setup.context;
  const TestPreset& preset = setup.preset;
  const std::string tree = preset.binary_dir;
  const Words base = {"ctest", "--preset", "asan", "--test-dir", tree};
  const Words run = {"-T", "Test", "--no-tests=error", "--output-junit", tree + "/ctest-junit.xml"};

  context.jobs = 3;
  TestCommands quick = PlanTestCommands(preset, context);
  EXPECT_EQ(quick.ctest_base, base);
  EXPECT_EQ(quick.selection, (Words{"-LE", "memsafe-slow"}));
  Words expected = base;
  expected.insert(expected.end(), run.begin(), run.end());
  expected.insert(expected.end(), {"-LE", "memsafe-slow", "-j", "3"});
  EXPECT_EQ(quick.ctest, expected);

  context.slow = true;
  context.jobs = 0;  // the test preset's own -j
  TestCommands thorough = PlanTestCommands(preset, context);
  EXPECT_TRUE(thorough.selection.empty());
  expected = base;
  expected.insert(expected.end(), run.begin(), run.end());
  EXPECT_EQ(thorough.ctest, expected);
}

// A listing of four tests: the second and the fourth are canaries, by name and by label.
constexpr char kFourTests[] =
    "{\"kind\":\"ctestInfo\",\"tests\":[{\"name\":\"a\"},{\"name\":\"canary.leak\"},{\"name\":\"b\"},"
    "{\"name\":\"c\",\"properties\":[{\"name\":\"LABELS\",\"value\":[\"unit\",\"canary\"]}]}]}";

// A ctest on PATH that prints `listing`, exits with `status` and records its arguments.
class FakeCtest {
 public:
  explicit FakeCtest(const std::string& listing = kFourTests, int status = 0) {
    const std::string script = (dir_.path() / "ctest").string();
    std::ofstream out(script);
    out << "#!/bin/sh\necho \"$*\" >>'" << Calls() << "'\n"
        << "echo '" << listing << "'\nexit " << status << "\n";
    out.close();
    chmod(script.c_str(), 0755);
  }
  FakeCtest(const FakeCtest&) = delete;
  FakeCtest& operator=(const FakeCtest&) = delete;

  std::string Calls() const { return (dir_.path() / "calls").string(); }
  std::string CallsText() const {
    std::ifstream in(Calls());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  static std::string PathWith(const ScratchDir& dir) {
    const char* path = std::getenv("PATH");
    return dir.path().string() + ":" + (path != nullptr ? path : "/usr/bin:/bin");
  }

  ScratchDir dir_;
  testing::ScopedEnv path_{"PATH", PathWith(dir_).c_str()};
};

TEST(CheckPlanTest, AShardTakesEveryNthTestAndEveryCanaryFromAListingWithTheRunsFilters) {
  FakeCtest ctest;
  PlanSetup setup;
  RunContext& context = setup.context;
  const TestPreset& preset = setup.preset;
  context.shard_index = 2;
  context.shard_count = 3;
  const TestCommands commands = PlanTestCommands(preset, context);
  // CTest numbers what -I selects after the other filters: the listing had the same -LE.
  EXPECT_EQ(commands.selection, (Words{"-LE", "memsafe-slow", "-I", "2,,3,2,4"}));
  EXPECT_NE(
      ctest.CallsText().find("--preset asan --test-dir " + preset.binary_dir + " -LE memsafe-slow --show-only=json-v1"),
      std::string::npos)
      << ctest.CallsText();
  EXPECT_TRUE(commands.undefined_tests.empty());
}

TEST(CheckPlanTest, NamedTestsRunWhateverTheirLabelsWithTheCanariesAndUnknownNamesAreKept) {
  FakeCtest ctest;
  PlanSetup setup;
  setup.context.tests = {"b", "no-such-test"};
  const TestCommands commands = PlanTestCommands(setup.preset, setup.context);
  // No -LE: a named test runs even when it is labelled slow; 0,0,0 selects no range.
  EXPECT_EQ(commands.selection, (Words{"-I", "0,0,0,2,3,4"}));
  EXPECT_EQ(commands.undefined_tests, (Words{"no-such-test"}));
  EXPECT_EQ(ctest.CallsText().find(" -LE "), std::string::npos) << ctest.CallsText();
}

// Without a listing no canary is selected: a shard or a --test run would prove nothing
// and still pass. The plan says why, and the preset fails on it (RunPreset: unsound).
TEST(CheckPlanTest, AListingThatFailsIsAnErrorNotAShardWithoutCanaries) {
  PlanSetup setup;
  RunContext& context = setup.context;
  const TestPreset& preset = setup.preset;
  context.shard_index = 1;
  context.shard_count = 2;
  {
    FakeCtest failing("", 8);
    const TestCommands commands = PlanTestCommands(preset, context);
    ASSERT_EQ(commands.selection_errors.size(), 1u);
    EXPECT_NE(commands.selection_errors[0].find("cannot list the tests to select"), std::string::npos);
    EXPECT_NE(commands.selection_errors[0].find("exit 8"), std::string::npos) << commands.selection_errors[0];
  }
  {
    FakeCtest garbled("not json");
    context.shard_count = 0;
    context.tests = {"b"};
    EXPECT_EQ(PlanTestCommands(preset, context).selection_errors.size(), 1u);
  }
  FakeCtest listing;
  EXPECT_TRUE(PlanTestCommands(preset, context).selection_errors.empty());
}

// The quick run leaves out (ctest -E, exact names) the tests that ran clean under the same
// key as often as the cache asks, and runs the others: a test never seen, one whose last
// run had a finding, and every test once something all keys hold has changed.
TEST(CheckPlanTest, TheCacheLeavesOutByExactNameOnlyTestsCleanUnderTheirKey) {
  PlanSetup setup;
  RunContext& context = setup.context;
  const TestPreset& preset = setup.preset;
  context.use_cache = true;
  context.cache_files = {setup.project.Write("sanitizers/options.txt", "asan detect_leaks=1\n")};
  ProcessResult listed;
  listed.started = true;
  listed.output = R"({"kind":"ctestInfo","tests":[{"name":"a","command":["/bin/true","a"]},)"
                  R"({"name":"b.c+","command":["/bin/true","b"]},{"name":"d","command":["/bin/true","d"]},)"
                  R"({"name":"new","command":["/bin/true","new"]}]})";
  const auto plan_once = [&](Words* ctest) {
    CachePlan plan;
    plan.path = (setup.project.path() / "cache.json").string();
    plan.clean_runs_needed = 1;
    PlanCache(preset, context, listed, /*have_listing=*/true, &plan, ctest);
    return plan;
  };
  Words first;
  CachePlan plan = plan_once(&first);
  EXPECT_EQ(first, Words{}) << "nothing remembered: everything runs";
  ASSERT_EQ(plan.keys.size(), 4u);
  plan.cache.Record("a", plan.keys.at("a").key, TestOutcome::kPassed, "clean");
  plan.cache.Record("b.c+", plan.keys.at("b.c+").key, TestOutcome::kPassed, "clean");
  plan.cache.Record("d", plan.keys.at("d").key, TestOutcome::kFailed, "finding");
  ASSERT_TRUE(plan.cache.Save(plan.path));

  Words second;
  const CachePlan again = plan_once(&second);
  EXPECT_EQ(second, (Words{"-E", "^(a|b\\.c\\+)$"})) << "a name's regex characters are escaped";
  EXPECT_EQ(again.cached, (Words{"a", "b.c+"}));

  setup.project.Write("sanitizers/options.txt", "asan detect_leaks=1\nasan halt_on_error=1\n");
  Words third;
  (void)plan_once(&third);  // only the command matters here
  EXPECT_EQ(third, Words{}) << "options.txt is in every key: a change runs every test";

  Words without_listing;
  CachePlan unlisted;
  unlisted.path = plan.path;
  PlanCache(preset, context, listed, /*have_listing=*/false, &unlisted, &without_listing);
  EXPECT_EQ(without_listing, Words{}) << "no listing, no keys: nothing is left out";
}

}  // namespace
}  // namespace memsafe::tools
