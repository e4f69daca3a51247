#include "check/presets.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;
const std::string kSource = MEMSAFE_TEST_SOURCE_DIR;

using testing::ScratchDir;

const TestPreset* Find(const PresetSet& set, const std::string& name) {
  for (const TestPreset& preset : set.test_presets) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

TEST(PresetsTest, ReadsToolsRunsAndBuildTreesThroughIncludesAndInherits) {
  std::string error;
  const std::optional<PresetSet> set = LoadPresets(kSource + "/CMakePresets.json", &error);
  ASSERT_TRUE(set) << error;
  const TestPreset* asan = Find(*set, "asan");
  ASSERT_NE(asan, nullptr);
  EXPECT_EQ(asan->tools, "address,undefined,leak");  // from memsafe-test-asan in the included fragment
  EXPECT_EQ(asan->run_by, "memory-checks");
  EXPECT_EQ(asan->cxx_compiler, "clang++");  // from memsafe-clang, two levels up
  EXPECT_EQ(asan->generator, "Ninja");
  EXPECT_EQ(fs::path(asan->binary_dir), fs::weakly_canonical(kSource) / "build" / "asan");
  EXPECT_TRUE(asan->has_build_preset);
  const TestPreset* valgrind = Find(*set, "valgrind");
  ASSERT_NE(valgrind, nullptr);
  EXPECT_EQ(valgrind->shards, 2);
  const TestPreset* dev = Find(*set, "dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->tools, "");
  EXPECT_EQ(dev->run_by, "check");
  EXPECT_EQ(Find(*set, "memsafe-test-asan"), nullptr) << "hidden presets are building blocks, not presets";
}

// What CMake reads is what memsafe reads: the user's presets beside the project's, and
// every file either includes (the result cache keys on all of them).
TEST(PresetsTest, UserPresetsAndEveryIncludedFileAreRead) {
  ScratchDir dir;
  const std::string project = dir.Write("CMakePresets.json", R"({"version": 6, "include": ["more/env.json"],
    "configurePresets": [{"name": "base", "binaryDir": "${sourceDir}/build/base"}],
    "testPresets": [{"name": "asan", "configurePreset": "base", "inherits": "env-block"}]})");
  const std::string included = dir.Write("more/env.json", R"({"version": 6,
    "testPresets": [{"name": "env-block", "hidden": true, "environment": {"MEMSAFE_EXPECT": "address"}}]})");
  std::string error;
  std::optional<PresetSet> set = LoadPresets(project, &error);
  ASSERT_TRUE(set) << error;
  EXPECT_EQ(set->files.size(), 2u);
  const std::string user = dir.Write("CMakeUserPresets.json", R"({"version": 6, "include": ["CMakePresets.json"],
    "testPresets": [{"name": "mine", "configurePreset": "base", "environment": {"MEMSAFE_EXPECT": "thread"}}]})");
  set = LoadPresets(project, &error);
  ASSERT_TRUE(set) << error;
  ASSERT_NE(Find(*set, "mine"), nullptr) << "a preset of CMakeUserPresets.json is a preset";
  EXPECT_EQ(Find(*set, "mine")->tools, "thread");
  EXPECT_EQ(Find(*set, "asan")->tools, "address");
  std::vector<std::string> files = set->files;
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{project, user, included}));
  // The repeat mode is read through inheritance: memsafe check refuses until-pass.
  dir.Write("more/env.json", R"({"version": 6,
    "testPresets": [{"name": "env-block", "hidden": true, "environment": {"MEMSAFE_EXPECT": "address"},
                     "execution": {"repeat": {"mode": "until-pass", "count": 3}}}]})");
  set = LoadPresets(project, &error);
  ASSERT_TRUE(set) << error;
  EXPECT_EQ(Find(*set, "asan")->repeat_mode, "until-pass");
  EXPECT_EQ(Find(*set, "mine")->repeat_mode, "");
  // A preset defined in both files is an error, as CMake makes it.
  dir.Write("CMakeUserPresets.json", R"({"version": 6,
    "testPresets": [{"name": "asan", "configurePreset": "base"}]})");
  EXPECT_FALSE(LoadPresets(project, &error));
  EXPECT_NE(error.find("preset 'asan' is defined twice"), std::string::npos) << error;
}

TEST(PresetsTest, SelectionRefusesEmptyUnknownDuplicateAndToollessNames) {
  std::string error;
  const std::optional<PresetSet> set = LoadPresets(kSource + "/CMakePresets.json", &error);
  ASSERT_TRUE(set) << error;
  std::vector<const TestPreset*> chosen;
  ASSERT_TRUE(SelectPresets(*set, "", "memory-checks", true, &chosen, &error)) << error;
  std::vector<std::string> names;
  for (const TestPreset* preset : chosen) names.push_back(preset->name);
  EXPECT_EQ(names, (std::vector<std::string>{"asan", "tsan", "valgrind"}));
  for (const char* bad : {",", "asan,", ",asan", "asan,,tsan", "nosuch", "asan,asan", "dev"}) {
    error.clear();
    EXPECT_FALSE(SelectPresets(*set, bad, "memory-checks", true, &chosen, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  EXPECT_TRUE(SelectPresets(*set, "asan-gcc,valgrind", "memory-checks", true, &chosen, &error)) << error;
  EXPECT_EQ(chosen.size(), 2u);
  ASSERT_TRUE(SelectPresets(*set, "", "check", false, &chosen, &error)) << error;
  EXPECT_EQ(chosen.size(), 2u);  // dev and dev-nosodium
}

// `cmake --list-presets` shows configure presets first: naming one gets the test preset
// that tests it, or how to add one, not "unknown preset".
TEST(PresetsTest, ConfigurePresetNamedForATestPresetSaysWhichToName) {
  ScratchDir dir;
  const std::string project = dir.Write("CMakePresets.json", R"({"version": 6,
    "configurePresets": [{"name": "asan", "binaryDir": "${sourceDir}/build/asan"}],
    "testPresets": [{"name": "asan", "configurePreset": "asan", "environment": {"MEMSAFE_EXPECT": "address"}}]})");
  dir.Write("CMakeUserPresets.json", R"({"version": 6,
    "configurePresets": [{"name": "mine", "inherits": "asan", "binaryDir": "${sourceDir}/build/mine"},
                         {"name": "other", "inherits": "asan", "binaryDir": "${sourceDir}/build/other"}],
    "testPresets": [{"name": "mine-asan", "configurePreset": "mine", "inherits": "asan"}]})");
  std::string error;
  const std::optional<PresetSet> set = LoadPresets(project, &error);
  ASSERT_TRUE(set) << error;
  std::vector<const TestPreset*> chosen;
  EXPECT_FALSE(SelectPresets(*set, "mine", "memory-checks", true, &chosen, &error));
  EXPECT_EQ(error, "'mine' is a configure preset, and memsafe check runs test presets: name mine-asan, which tests it");
  EXPECT_FALSE(SelectPresets(*set, "other", "memory-checks", true, &chosen, &error));
  EXPECT_NE(error.find("none tests it; add one to CMakeUserPresets.json"), std::string::npos) << error;
  EXPECT_FALSE(SelectPresets(*set, "nosuch", "memory-checks", true, &chosen, &error));
  EXPECT_EQ(error, "unknown preset 'nosuch' (see --list)");
  EXPECT_TRUE(SelectPresets(*set, "mine-asan", "memory-checks", true, &chosen, &error)) << error;
}

TEST(PresetsTest, ProjectThatNamesNoRunsGetsEveryToolPresetInTheMemoryRun) {
  ScratchDir dir;
  dir.Write("fragment/blocks.json", R"({"version": 6,
    "configurePresets": [{"name": "base", "hidden": true, "generator": "Ninja", "binaryDir": "out/${presetName}"}],
    "testPresets": [{"name": "t-asan", "hidden": true, "environment": {"MEMSAFE_EXPECT": "address"}}]})");
  const std::string top = dir.Write("CMakePresets.json", R"({"version": 6, "include": ["fragment/blocks.json"],
    "configurePresets": [{"name": "plain", "inherits": "base"}, {"name": "asan", "inherits": "base"}],
    "testPresets": [{"name": "plain", "configurePreset": "plain"},
                    {"name": "asan", "configurePreset": "asan", "inherits": "t-asan"}]})");
  std::string error;
  const std::optional<PresetSet> set = LoadPresets(top, &error);
  ASSERT_TRUE(set) << error;
  std::vector<const TestPreset*> chosen;
  ASSERT_TRUE(SelectPresets(*set, "", "memory-checks", true, &chosen, &error)) << error;
  ASSERT_EQ(chosen.size(), 1u);
  EXPECT_EQ(chosen[0]->name, "asan");
  EXPECT_EQ(fs::path(chosen[0]->binary_dir), fs::weakly_canonical(dir.path()) / "out" / "asan");
  EXPECT_FALSE(chosen[0]->has_build_preset);
  ASSERT_TRUE(SelectPresets(*set, "", "check", false, &chosen, &error)) << error;
  ASSERT_EQ(chosen.size(), 1u);
  EXPECT_EQ(chosen[0]->name, "plain");
}

// memsafe init's twins run on request: they leave the project's other presets, its own
// memory presets too, where they were in a project that names no run.
TEST(PresetsTest, PresetsOnRequestLeaveTheOthersInTheirRuns) {
  ScratchDir dir;
  const std::string top = dir.Write("CMakePresets.json", R"({"version": 6,
    "configurePresets": [{"name": "base", "hidden": true, "generator": "Ninja", "binaryDir": "out/${presetName}"},
                         {"name": "dev", "inherits": "base"}, {"name": "msan", "inherits": "base"},
                         {"name": "asan", "inherits": "base"}, {"name": "asan-gcc", "inherits": "base"}],
    "testPresets": [{"name": "dev", "configurePreset": "dev"},
                    {"name": "msan", "configurePreset": "msan", "environment": {"MEMSAFE_EXPECT": "memory"}},
                    {"name": "asan", "configurePreset": "asan", "environment": {"MEMSAFE_EXPECT": "address"}},
                    {"name": "asan-gcc", "configurePreset": "asan-gcc", "environment": {"MEMSAFE_EXPECT": "address"},
                     "vendor": {"memsafe": {"runBy": "on-request"}}}]})");
  std::string error;
  const std::optional<PresetSet> set = LoadPresets(top, &error);
  ASSERT_TRUE(set) << error;
  std::vector<const TestPreset*> chosen;
  const auto names = [&] {
    std::vector<std::string> out;
    for (const TestPreset* preset : chosen) out.push_back(preset->name);
    return out;
  };
  ASSERT_TRUE(SelectPresets(*set, "", "memory-checks", true, &chosen, &error)) << error;
  EXPECT_EQ(names(), (std::vector<std::string>{"msan", "asan"}));
  ASSERT_TRUE(SelectPresets(*set, "", "check", false, &chosen, &error)) << error;
  EXPECT_EQ(names(), (std::vector<std::string>{"dev"}));
  ASSERT_TRUE(SelectPresets(*set, "", "all", true, &chosen, &error)) << error;
  EXPECT_EQ(names(), (std::vector<std::string>{"msan", "asan", "asan-gcc"}));
}

TEST(PresetsTest, BrokenPresetFilesAreErrorsNamingTheFile) {
  ScratchDir dir;
  std::string error;
  EXPECT_FALSE(LoadPresets(dir.Write("a.json", "{not json"), &error));
  EXPECT_NE(error.find("a.json"), std::string::npos) << error;
  EXPECT_FALSE(LoadPresets(dir.Write("b.json", R"({"version": 6, "testPresets": [
    {"name": "t", "configurePreset": "missing"}]})"),
                           &error));
  EXPECT_NE(error.find("missing"), std::string::npos) << error;
  EXPECT_FALSE(LoadPresets(dir.Write("c.json", R"({"version": 6,
    "configurePresets": [{"name": "x", "inherits": "y"}, {"name": "y", "inherits": "x"}],
    "testPresets": [{"name": "t", "configurePreset": "x"}]})"),
                           &error));
  EXPECT_NE(error.find("cycle"), std::string::npos) << error;
  EXPECT_FALSE(LoadPresets((dir.path() / "none.json").string(), &error));
  // A directory where the file should be is refused, not read as empty.
  fs::create_directories(dir.path() / "d.json");
  EXPECT_FALSE(LoadPresets((dir.path() / "d.json").string(), &error));
}

TEST(PresetsTest, MatrixHasOneJobPerShardAsJson) {
  TestPreset asan;
  asan.name = "asan";
  asan.tools = "address";
  asan.cxx_compiler = "clang++";
  TestPreset valgrind;
  valgrind.name = "valgrind";
  valgrind.tools = "valgrind";
  valgrind.shards = 2;
  valgrind.cxx_compiler = "g++";
  const nlohmann::json matrix = nlohmann::json::parse(FormatMatrix({&asan, &valgrind}));
  ASSERT_EQ(matrix["include"].size(), 3u);
  EXPECT_EQ(matrix["include"][0]["preset"], "asan");
  EXPECT_EQ(matrix["include"][0]["shard"], "1/1");
  EXPECT_EQ(matrix["include"][2]["shard"], "2/2");
  EXPECT_EQ(matrix["include"][2]["slug"], "valgrind-2-of-2");
  EXPECT_EQ(matrix["include"][2]["compiler"], "g++");
}

TEST(PresetsTest, ShardIsASmallPositiveFraction) {
  int index = 0, count = 0;
  EXPECT_TRUE(ParseShard("1/2", &index, &count));
  EXPECT_EQ(index, 1);
  EXPECT_EQ(count, 2);
  EXPECT_TRUE(ParseShard("2/2", &index, &count));
  for (const char* bad : {"0/2", "3/2", "1/0", "/2", "1/", "1", "-1/2", "+1/2", " 1/2", "1/2 ", "01/2", "1/2/3",
                          "9223372036854775808/9223372036854775807", "4294967297/4294967298", "1001/1001"}) {
    EXPECT_FALSE(ParseShard(bad, &index, &count)) << bad;
  }
}

TEST(PresetsTest, EveryShardRunsEveryCanaryAndTheShardsCoverEveryTestOnce) {
  EXPECT_EQ(ShardSelection(2, 3, {}), "2,,3");
  EXPECT_EQ(ShardSelection(1, 2, {5, 9}), "1,,2,5,9");
  // CTest's meaning of "I,,N,a,b": tests I, I+N, ... and a, b. Over 20 tests with
  // canaries 18..20, each shard holds all canaries and the others exactly once overall.
  const std::vector<int> canaries = {18, 19, 20};
  for (int count = 1; count <= 7; ++count) {
    std::vector<int> seen(21, 0);
    for (int index = 1; index <= count; ++index) {
      std::vector<bool> selected(21, false);
      for (int test = index; test <= 20; test += count) selected[test] = true;
      for (int canary : canaries) selected[canary] = true;
      for (int canary : canaries) EXPECT_TRUE(selected[canary]);
      for (int test = 1; test <= 20; ++test) seen[test] += selected[test] ? 1 : 0;
    }
    for (int test = 1; test <= 17; ++test) EXPECT_EQ(seen[test], 1) << test << " of " << count << " shards";
  }
}

}  // namespace
}  // namespace memsafe::tools
