// Reading a project's CMakePresets.json the way `memsafe check` needs it: which test
// presets exist, which memory tool each expects, which runs it belongs to, and where
// its build tree is.
//
// A test preset runs a memory tool when its environment sets MEMSAFE_EXPECT (the
// memsafe-test-* building blocks of cmake/memsafe-presets.json do). Its own
// vendor.memsafe object says which run includes it ("runBy": "check" for the fast run,
// "memory-checks" for --memory-checks, "on-request" otherwise) and over how many
// runners the nightly workflow spreads it ("shards"). Includes and inheritance are
// resolved as CMake resolves them for these fields.
//
// Example:
//   std::string error;
//   std::optional<PresetSet> set = LoadPresets("/src/p/CMakePresets.json", &error);
//   std::vector<const TestPreset*> chosen;
//   if (set && SelectPresets(*set, "asan,tsan", "memory-checks", &chosen, &error)) ...
//
// Thread-safety: pure functions over values.
// Failure: a file that cannot be read or parsed, a cycle in includes or inherits, or a
// preset that names an undefined parent gives nullopt and a message naming the file.
#ifndef MEMSAFE_TOOLS_PRESETS_H_
#define MEMSAFE_TOOLS_PRESETS_H_

#include <optional>
#include <string>
#include <vector>

namespace memsafe::tools {

struct TestPreset {
  std::string name;
  std::string tools;   // MEMSAFE_EXPECT: "address,undefined,leak", "thread", "valgrind"; "" when none
  std::string run_by;  // "check", "memory-checks", "on-request", or ""
  int shards = 1;
  std::string configure_preset;   // the configure preset it tests
  std::string binary_dir;         // its build tree, macros expanded, absolute
  std::string cxx_compiler;       // CMAKE_CXX_COMPILER of the configure preset, "" when not set
  std::string c_compiler;         // CMAKE_C_COMPILER, likewise
  std::string generator;          // of the configure preset, "" when not set
  bool has_build_preset = false;  // a build preset of the same configure preset exists
  std::string build_preset;
  std::string repeat_mode;  // execution.repeat.mode of the test preset, "" when not set
};

struct PresetSet {
  std::string source_dir;                      // the directory of the top CMakePresets.json
  std::vector<TestPreset> test_presets;        // visible test presets, in file order
  std::vector<std::string> configure_presets;  // visible configure presets, by name
  // Every presets file CMake reads for this project: CMakePresets.json, the
  // CMakeUserPresets.json beside it, and each file either includes, as absolute paths.
  std::vector<std::string> files;
};

// `path` is the project's CMakePresets.json; a CMakeUserPresets.json beside it is read
// too, as CMake reads it (a preset defined in both is an error, as in CMake).
std::optional<PresetSet> LoadPresets(const std::string& path, std::string* error);

// The presets a run means. `requested` is a comma-separated list of names (each must
// exist, be listed once and run a memory tool when `need_tool`), or empty for every
// preset whose run_by is `default_set` ("all": every preset with a tool). In a project
// whose presets name neither "check" nor "memory-checks", "memory-checks" means every
// preset with a tool and "check" every preset without one, those "on-request" aside.
// Returns false with a message for a malformed list.
bool SelectPresets(const PresetSet& set, const std::string& requested, const std::string& default_set, bool need_tool,
                   std::vector<const TestPreset*>* chosen, std::string* error);

// The nightly workflow's job matrix for fromJSON(): {"include": [{preset, compiler,
// shard "I/N", slug}, ...]} for each chosen preset times its shards.
std::string FormatMatrix(const std::vector<const TestPreset*>& presets);

// The table `--list` prints.
std::string FormatPresetList(const PresetSet& set);

// "I/N" with 1 <= I <= N <= 1000; false for anything else (signs, overflow, spaces).
bool ParseShard(const std::string& text, int* index, int* count);

// CTest's -I selection for shard I of N: every N-th test from the I-th, plus the
// given test numbers (the canaries), so each shard proves its tool was on while the
// shards together run every other test exactly once.
std::string ShardSelection(int index, int count, const std::vector<int>& always);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_PRESETS_H_
