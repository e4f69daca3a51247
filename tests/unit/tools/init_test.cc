#include "init.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "text.h"
#include "tool_test_support.h"

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

// The package files of this source tree: what an installed memsafe carries.
InitOptions OptionsFor(const ScratchDir& dir) {
  InitOptions options;
  options.project = dir.path().string();
  options.package_dir = std::string(MEMSAFE_TEST_SOURCE_DIR) + "/cmake";
  options.version = "0.1.0";
  return options;
}

const PlannedFile* Find(const InitPlan& plan, const std::string& path) {
  for (const PlannedFile& file : plan.files) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

std::string Read(const ScratchDir& dir, const std::string& name) {
  std::string content;
  EXPECT_TRUE(ReadWholeFile((dir.path() / name).string(), &content)) << name;
  return content;
}

TEST(InitTest, NewProjectGetsPresetsAndSanitizersAndASecondRunChangesNothing) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "cmake_minimum_required(VERSION 3.10)\nproject(p C)\n");
  std::string error;
  std::optional<InitPlan> plan = PlanInit(OptionsFor(dir), &error);
  ASSERT_TRUE(plan) << error;
  for (const char* path : {"CMakePresets.json", "sanitizers/memsafe-presets.json", "sanitizers/memsafe-adopt.cmake",
                           "sanitizers/lsan.supp", "sanitizers/options.txt", "sanitizers/exclude.txt"}) {
    const PlannedFile* file = Find(*plan, path);
    ASSERT_NE(file, nullptr) << path;
    EXPECT_EQ(file->action, FileAction::kCreate) << path;
  }
  ASSERT_TRUE(ApplyInit(*plan, &error)) << error;

  const nlohmann::json presets = nlohmann::json::parse(Read(dir, "CMakePresets.json"));
  EXPECT_EQ(presets["version"], 6);
  EXPECT_EQ(presets["include"], nlohmann::json::array({"sanitizers/memsafe-presets.json"}));
  for (const char* kind : {"configurePresets", "buildPresets", "testPresets", "workflowPresets"}) {
    ASSERT_EQ(presets[kind].size(), 3u) << kind;
    EXPECT_EQ(presets[kind][0]["name"], "asan") << kind;
  }
  EXPECT_NE(Read(dir, "sanitizers/memsafe-adopt.cmake").find("find_package(memsafe 0.1 CONFIG REQUIRED)"),
            std::string::npos);

  std::optional<InitPlan> again = PlanInit(OptionsFor(dir), &error);
  ASSERT_TRUE(again) << error;
  for (const PlannedFile& file : again->files) EXPECT_EQ(file.action, FileAction::kUnchanged) << file.path;
  EXPECT_NE(FormatPlan(*again, false).find("nothing to change"), std::string::npos);
}

TEST(InitTest, ExistingPresetsAreKeptAndAnOldSchemaIsRaised) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "project(p)\n");
  dir.Write("CMakePresets.json",
            R"({"version": 3, "configurePresets": [{"name": "dev", "binaryDir": "${sourceDir}/out"}]})");
  std::string error;
  std::optional<InitPlan> plan = PlanInit(OptionsFor(dir), &error);
  ASSERT_TRUE(plan) << error;
  EXPECT_EQ(Find(*plan, "CMakePresets.json")->action, FileAction::kUpdate);
  ASSERT_EQ(plan->notes.size(), 2u);  // the raised schema, and no workflow without --action
  EXPECT_NE(plan->notes[0].find("schema version 3 raised to 6"), std::string::npos);
  const nlohmann::json presets = nlohmann::json::parse(Find(*plan, "CMakePresets.json")->content);
  ASSERT_EQ(presets["configurePresets"].size(), 4u);
  EXPECT_EQ(presets["configurePresets"][0]["name"], "dev");
  EXPECT_EQ(presets["configurePresets"][0]["binaryDir"], "${sourceDir}/out");
}

TEST(InitTest, OwnPresetUnderAMemsafeNameIsRefused) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "project(p)\n");
  dir.Write("CMakePresets.json", R"({"version": 6, "testPresets": [{"name": "tsan", "configurePreset": "x"}]})");
  std::string error;
  EXPECT_FALSE(PlanInit(OptionsFor(dir), &error));
  EXPECT_NE(error.find("testPresets entry named 'tsan' that is not memsafe's"), std::string::npos) << error;
}

// CMake fails "Duplicate presets" when a name is defined in two files it reads.
TEST(InitTest, MemsafeNameInUserPresetsOrAnIncludedFileIsRefused) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "project(p)\n");
  dir.Write("CMakeUserPresets.json", R"({"version": 6, "configurePresets": [{"name": "asan", "binaryDir": "b"}]})");
  std::string error;
  EXPECT_FALSE(PlanInit(OptionsFor(dir), &error));
  EXPECT_NE(error.find("CMakeUserPresets.json already defines a configurePresets entry named 'asan'"),
            std::string::npos)
      << error;
  dir.Write("CMakeUserPresets.json", R"({"version": 6, "include": ["local/more.json"]})");
  dir.Write("local/more.json", R"({"version": 6, "testPresets": [{"name": "valgrind", "configurePreset": "x"}]})");
  EXPECT_FALSE(PlanInit(OptionsFor(dir), &error));
  EXPECT_NE(error.find("local/more.json already defines a testPresets entry named 'valgrind'"), std::string::npos)
      << error;
  dir.Write("CMakeUserPresets.json", R"({"version": 6})");
  dir.Write("CMakePresets.json", R"({"version": 6, "include": ["presets/ci.json"]})");
  dir.Write("presets/ci.json", R"({"version": 6, "buildPresets": [{"name": "tsan", "configurePreset": "x"}]})");
  EXPECT_FALSE(PlanInit(OptionsFor(dir), &error));
  EXPECT_NE(error.find("presets/ci.json already defines a buildPresets entry named 'tsan'"), std::string::npos)
      << error;
  dir.Write("presets/ci.json", R"({"version": 6, "buildPresets": [{"name": "ci", "configurePreset": "x"}]})");
  EXPECT_TRUE(PlanInit(OptionsFor(dir), &error)) << error;
}

TEST(InitTest, SymlinkedPresetsFileIsWrittenThroughTheLink) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "project(p)\n");
  dir.Write("shared/presets.json", R"({"version": 6})");
  fs::create_symlink("shared/presets.json", dir.path() / "CMakePresets.json");
  fs::permissions(dir.path() / "shared/presets.json", fs::perms(0640), fs::perm_options::replace);
  std::string error;
  std::optional<InitPlan> plan = PlanInit(OptionsFor(dir), &error);
  ASSERT_TRUE(plan) << error;
  ASSERT_TRUE(ApplyInit(*plan, &error)) << error;
  EXPECT_TRUE(fs::is_symlink(dir.path() / "CMakePresets.json"));
  EXPECT_NE(Read(dir, "shared/presets.json").find("\"asan\""), std::string::npos);
  EXPECT_EQ(fs::status(dir.path() / "shared/presets.json").permissions(), fs::perms(0640)) << "its mode is kept";
}

TEST(InitTest, ReadOnlyFileThatWouldChangeStopsInitBeforeAnyWrite) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "project(p)\n");
  dir.Write("CMakePresets.json", R"({"version": 6})");
  fs::permissions(dir.path() / "CMakePresets.json", fs::perms(0444), fs::perm_options::replace);
  std::string error;
  std::optional<InitPlan> plan = PlanInit(OptionsFor(dir), &error);
  ASSERT_TRUE(plan) << error << " (--dry-run still shows the change)";
  EXPECT_FALSE(ApplyInit(*plan, &error));
  EXPECT_NE(error.find("CMakePresets.json would change but is read-only"), std::string::npos) << error;
  EXPECT_EQ(Read(dir, "CMakePresets.json"), R"({"version": 6})");
  EXPECT_FALSE(fs::exists(dir.path() / "sanitizers")) << "nothing was written";
  fs::permissions(dir.path() / "CMakePresets.json", fs::perms(0644), fs::perm_options::replace);
}

TEST(InitTest, ProjectFilesAreNeverOverwritten) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "project(p)\n");
  dir.Write("sanitizers/lsan.supp", "# ours\n");
  std::string error;
  std::optional<InitPlan> plan = PlanInit(OptionsFor(dir), &error);
  ASSERT_TRUE(plan) << error;
  EXPECT_EQ(Find(*plan, "sanitizers/lsan.supp")->action, FileAction::kUnchanged);
  ASSERT_TRUE(ApplyInit(*plan, &error)) << error;
  EXPECT_EQ(Read(dir, "sanitizers/lsan.supp"), "# ours\n");
}

TEST(InitTest, BadInputIsRefusedAndNothingIsPlanned) {
  ScratchDir dir;
  std::string error;
  EXPECT_FALSE(PlanInit(OptionsFor(dir), &error));
  EXPECT_NE(error.find("has no CMakeLists.txt"), std::string::npos) << error;

  dir.Write("CMakeLists.txt", "project(p)\n");
  dir.Write("CMakePresets.json", "{ not json");
  EXPECT_FALSE(PlanInit(OptionsFor(dir), &error));
  EXPECT_NE(error.find("CMakePresets.json is not valid JSON"), std::string::npos) << error;

  dir.Write("CMakePresets.json", "{}");
  InitOptions options = OptionsFor(dir);
  options.action = "owner/repo@v1";
  EXPECT_FALSE(PlanInit(options, &error));
  EXPECT_NE(error.find("pinned by commit"), std::string::npos) << error;

  options.action = "owner/memsafe@0123456789abcdef0123456789abcdef01234567";
  std::optional<InitPlan> plan = PlanInit(options, &error);
  ASSERT_TRUE(plan) << error;
  const PlannedFile* workflow = Find(*plan, ".github/workflows/memsafe.yml");
  ASSERT_NE(workflow, nullptr);
  EXPECT_NE(workflow->content.find("uses: owner/memsafe@0123456789abcdef0123456789abcdef01234567"), std::string::npos);
  EXPECT_NE(workflow->content.find("contents: read"), std::string::npos);
}

}  // namespace
}  // namespace memsafe::tools
