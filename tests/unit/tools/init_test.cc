#include "init.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "common/process.h"
#include "common/text.h"
#include "tools/tool_test_support.h"

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

const nlohmann::json* Named(const nlohmann::json& presets, const char* kind, const std::string& name) {
  for (const nlohmann::json& entry : presets[kind]) {
    if (entry["name"] == name) return &entry;
  }
  return nullptr;
}

// Each memory tool in each compiler asked for, from the fragment's building blocks:
// asan-gcc at -O0 as memsafe's own, not the -O1 that composing memsafe-gcc with
// memsafe-asan gives.
TEST(InitTest, CompilersWriteEveryToolInEachCompiler) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "cmake_minimum_required(VERSION 3.10)\nproject(p C)\n");
  InitOptions options = OptionsFor(dir);
  options.compilers = {"clang", "gcc"};
  std::string error;
  std::optional<InitPlan> plan = PlanInit(options, &error);
  ASSERT_TRUE(plan) << error;
  ASSERT_TRUE(ApplyInit(*plan, &error)) << error;
  const nlohmann::json presets = nlohmann::json::parse(Read(dir, "CMakePresets.json"));
  // The first preset of each tool says no run (the quick one has it, beside any tool
  // preset of the project's own); the twins run on request.
  const std::pair<const char*, const char*> expected[] = {{"asan", ""},     {"asan-gcc", "on-request"},
                                                          {"tsan", ""},     {"tsan-gcc", "on-request"},
                                                          {"valgrind", ""}, {"valgrind-clang", "on-request"}};
  ASSERT_EQ(presets["testPresets"].size(), 6u);
  const nlohmann::json::json_pointer run_by_field("/vendor/memsafe/runBy");
  for (const auto& [name, run_by] : expected) {
    const nlohmann::json* test = Named(presets, "testPresets", name);
    ASSERT_NE(test, nullptr) << name;
    EXPECT_EQ(test->value(run_by_field, ""), run_by) << name;
    EXPECT_NE(Named(presets, "workflowPresets", name), nullptr) << name;
  }
  EXPECT_EQ((*Named(presets, "configurePresets", "asan-gcc"))["inherits"],
            nlohmann::json::array({"memsafe-base", "memsafe-gcc", "memsafe-asan-gcc", "memsafe-adopt"}));
  EXPECT_EQ((*Named(presets, "configurePresets", "valgrind-clang"))["inherits"],
            nlohmann::json::array({"memsafe-base", "memsafe-clang", "memsafe-valgrind-clang", "memsafe-adopt"}));
  bool told = false;
  for (const std::string& note : plan->notes)
    told = told || note.find("--preset asan-gcc,tsan-gcc") != std::string::npos;
  EXPECT_TRUE(told);

  // What CMake makes of the twin: GCC, ASan, -O0.
  ProcessOptions capture;
  capture.capture_stdout = true;
  capture.working_directory = dir.path().string();
  const ProcessResult shown = RunProcess({"cmake", "--preset", "asan-gcc", "-N"}, capture);
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("MEMSAFE_OPTIMIZATION=\"-O0\""), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("CMAKE_C_COMPILER=\"gcc\""), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("MEMSAFE_SANITIZE=\"address;undefined;leak\""), std::string::npos) << shown.output;

  std::optional<InitPlan> again = PlanInit(options, &error);
  ASSERT_TRUE(again) << error;
  for (const PlannedFile& file : again->files) EXPECT_EQ(file.action, FileAction::kUnchanged) << file.path;
}

// The documented way to halve an adopted project's asan build (docs/design/
// MEMORY_SAFETY_CI.md, "Build time of an adopted project"): MEMSAFE_OPTIMIZATION in the
// project's asan preset, which a later init keeps and CMake takes over memsafe's -O1.
TEST(InitTest, AnAsanPresetsOwnOptimizationLevelIsKeptByAnotherInit) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "cmake_minimum_required(VERSION 3.25)\nproject(p C)\n");
  std::string error;
  std::optional<InitPlan> plan = PlanInit(OptionsFor(dir), &error);
  ASSERT_TRUE(plan) << error;
  ASSERT_TRUE(ApplyInit(*plan, &error)) << error;
  nlohmann::json presets = nlohmann::json::parse(Read(dir, "CMakePresets.json"));
  for (nlohmann::json& preset : presets["configurePresets"]) {
    if (preset["name"] == "asan") preset["cacheVariables"]["MEMSAFE_OPTIMIZATION"] = "-O0";
  }
  dir.Write("CMakePresets.json", presets.dump(2));

  std::optional<InitPlan> again = PlanInit(OptionsFor(dir), &error);
  ASSERT_TRUE(again) << error;
  ASSERT_TRUE(ApplyInit(*again, &error)) << error;
  const nlohmann::json kept = nlohmann::json::parse(Read(dir, "CMakePresets.json"));
  const nlohmann::json* asan = Named(kept, "configurePresets", "asan");
  ASSERT_NE(asan, nullptr);
  EXPECT_EQ(asan->value(nlohmann::json::json_pointer("/cacheVariables/MEMSAFE_OPTIMIZATION"), ""), "-O0");
  ProcessOptions capture;
  capture.capture_stdout = true;
  capture.working_directory = dir.path().string();
  const ProcessResult shown = RunProcess({"cmake", "--preset", "asan", "-N"}, capture);
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("MEMSAFE_OPTIMIZATION=\"-O0\""), std::string::npos) << shown.output;
}

// With one compiler only, each tool's preset in it is the quick run's.
TEST(InitTest, OneCompilerRunsEachToolInIt) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "project(p C)\n");
  InitOptions options = OptionsFor(dir);
  options.compilers = {"gcc"};
  std::string error;
  std::optional<InitPlan> plan = PlanInit(options, &error);
  ASSERT_TRUE(plan) << error;
  const nlohmann::json presets = nlohmann::json::parse(Find(*plan, "CMakePresets.json")->content);
  ASSERT_EQ(presets["testPresets"].size(), 3u);
  for (const char* name : {"asan-gcc", "tsan-gcc", "valgrind"}) {
    const nlohmann::json* test = Named(presets, "testPresets", name);
    ASSERT_NE(test, nullptr) << name;
    EXPECT_FALSE(test->contains("vendor")) << name;
  }

  options.compilers = {"gcc", "icc"};
  EXPECT_FALSE(PlanInit(options, &error));
  EXPECT_NE(error.find("'icc' is not one of memsafe's compilers (clang, gcc)"), std::string::npos) << error;
}

// gcc first, then clang and gcc: asan-gcc, the first asan preset before, runs on
// request now, and the note says what the file says.
TEST(InitTest, ATwinWrittenFirstIsOnRequestOnceTheOtherCompilerLeads) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "project(p C)\n");
  InitOptions options = OptionsFor(dir);
  options.compilers = {"gcc"};
  std::string error;
  std::optional<InitPlan> first = PlanInit(options, &error);
  ASSERT_TRUE(first && ApplyInit(*first, &error)) << error;
  options.compilers = {"clang", "gcc"};
  std::optional<InitPlan> both = PlanInit(options, &error);
  ASSERT_TRUE(both) << error;
  const nlohmann::json presets = nlohmann::json::parse(Find(*both, "CMakePresets.json")->content);
  EXPECT_FALSE(Named(presets, "testPresets", "asan")->contains("vendor"));
  EXPECT_EQ((*Named(presets, "testPresets", "asan-gcc"))["vendor"]["memsafe"]["runBy"], "on-request");
  EXPECT_EQ((*Named(presets, "testPresets", "valgrind-clang"))["vendor"]["memsafe"]["runBy"], "on-request");
  bool told = false;
  for (const std::string& note : both->notes) {
    told = told || note.find("asan-gcc, tsan-gcc, valgrind-clang") != std::string::npos;
  }
  EXPECT_TRUE(told);
}

// A project that names its runs: memsafe's first presets say which, or neither run
// would have them.
TEST(InitTest, InAProjectThatNamesItsRunsTheFirstPresetsNameTheirs) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "project(p C)\n");
  dir.Write("CMakePresets.json", R"({"version": 6,
    "configurePresets": [{"name": "dev", "binaryDir": "${sourceDir}/out"}],
    "testPresets": [{"name": "dev", "configurePreset": "dev", "vendor": {"memsafe": {"runBy": "check"}}}]})");
  std::string error;
  std::optional<InitPlan> plan = PlanInit(OptionsFor(dir), &error);
  ASSERT_TRUE(plan) << error;
  const nlohmann::json presets = nlohmann::json::parse(Find(*plan, "CMakePresets.json")->content);
  EXPECT_EQ((*Named(presets, "testPresets", "asan"))["vendor"]["memsafe"]["runBy"], "memory-checks");
}

// memsafe's own memory presets are the ones init writes for clang,gcc: one definition
// of each, the fragment's building blocks.
TEST(InitTest, MemsafesOwnMemoryPresetsAreWhatInitWrites) {
  ScratchDir dir;
  dir.Write("CMakeLists.txt", "project(p C)\n");
  InitOptions options = OptionsFor(dir);
  options.compilers = {"clang", "gcc"};
  std::string error;
  std::optional<InitPlan> plan = PlanInit(options, &error);
  ASSERT_TRUE(plan) << error;
  const nlohmann::json written = nlohmann::json::parse(Find(*plan, "CMakePresets.json")->content);
  std::string own_text;
  ASSERT_TRUE(ReadWholeFile(std::string(MEMSAFE_TEST_SOURCE_DIR) + "/CMakePresets.json", &own_text));
  const nlohmann::json own = nlohmann::json::parse(own_text);
  for (const nlohmann::json& configure : written["configurePresets"]) {
    const std::string name = configure["name"];
    const nlohmann::json* mine = Named(own, "configurePresets", name);
    ASSERT_NE(mine, nullptr) << name;
    nlohmann::json inherits = configure["inherits"];
    inherits.erase(inherits.size() - 1);  // memsafe-adopt: how a project includes memsafe
    EXPECT_EQ((*mine)["inherits"], inherits) << name;
    // A preset of memsafe's own may say what memsafe's project builds (the tool or not, and
    // then which tool judges its tests), never how the memory tool runs: that is the
    // fragment's building block, which adopters get too.
    const nlohmann::json variables = mine->value("cacheVariables", nlohmann::json::object());
    for (const auto& [variable, value] : variables.items()) {
      EXPECT_TRUE(variable == "MEMSAFE_BUILD_TOOLS" || variable == "MEMSAFE_TOOL")
          << name << ": " << variable << " is set in the fragment's building block instead";
    }
    const nlohmann::json* test = Named(own, "testPresets", name);
    ASSERT_NE(test, nullptr) << name;
    EXPECT_EQ((*test)["inherits"], (*Named(written, "testPresets", name))["inherits"]) << name;
    // memsafe names its runs (./check.sh runs "check"): its first presets say "memory-checks".
    const nlohmann::json::json_pointer run_by("/vendor/memsafe/runBy");
    const std::string wrote = Named(written, "testPresets", name)->value(run_by, "");
    EXPECT_EQ(test->value(run_by, ""), wrote.empty() ? "memory-checks" : wrote) << name;
  }
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
