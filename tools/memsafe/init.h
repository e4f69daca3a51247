// `memsafe init`: what a CMake project needs to adopt memsafe, written into the project
// without touching its CMake files.
//
// It plans every file first, then writes (or, with --dry-run, only lists) the plan:
//   CMakePresets.json                  created, or merged: the memory presets (configure,
//                                      build, test and workflow presets asan, tsan,
//                                      valgrind, and with --compilers their twins in
//                                      the other compiler) composed from memsafe's
//                                      fragment; the
//                                      project's own presets are kept as they are
//   sanitizers/memsafe-presets.json    the fragment (refreshed: it belongs to memsafe)
//   sanitizers/memsafe-adopt.cmake     included at the first project() call
//                                      (CMAKE_PROJECT_INCLUDE): instruments every
//                                      target, launches every test, adds the canaries
//   sanitizers/*.supp, ubsan_ignorelist.txt, options.txt
//                                      empty, with the policy header (never overwritten)
//   .github/workflows/memsafe.yml      the nightly run (with --action: which memsafe to use)
//   .git/hooks/pre-push                with --pre-push-hook: the quick run before a push
// A second run with the same memsafe plans no change.
//
// Example:
//   InitOptions options;
//   options.project = "/src/project";
//   options.package_dir = PackageCMakeDir();
//   std::string error;
//   std::optional<InitPlan> plan = PlanInit(options, &error);
//   if (plan && ApplyInit(*plan, &error)) ...
//
// Thread-safety: PlanInit reads files, ApplyInit writes them; no shared state.
// Failure: a project without CMakeLists.txt, an unreadable or malformed
// CMakePresets.json, or a preset of the same name that is not memsafe's gives nullopt
// and a message; nothing is written then.
#ifndef MEMSAFE_TOOLS_INIT_H_
#define MEMSAFE_TOOLS_INIT_H_

#include <optional>
#include <string>
#include <vector>

namespace memsafe::tools {

struct InitOptions {
  std::string project = ".";
  std::string package_dir;  // memsafe's installed cmake/ directory (templates, fragment)
  std::string version;      // memsafe's version, "MAJOR.MINOR.PATCH"
  std::string action;       // OWNER/REPO@SHA of memsafe's action for the workflow; "" writes none
  bool pre_push_hook = false;
  // NAME=VALUE cache variables the memory presets set besides the test switches init
  // finds itself (FindTestSwitches): a switch it cannot recognise, a project option.
  std::vector<std::string> set_variables;
  // "clang", "gcc": write every memory tool's preset in each (asan-gcc, tsan-gcc,
  // valgrind-clang beside asan, tsan, valgrind), composed from the fragment's building
  // blocks as memsafe's own are. Empty: each tool in its own compiler only.
  std::vector<std::string> compilers;
};

enum class FileAction { kCreate, kUpdate, kUnchanged };

struct PlannedFile {
  std::string path;  // relative to the project
  std::string content;
  FileAction action = FileAction::kUnchanged;
  bool executable = false;
};

struct InitPlan {
  std::string project;
  std::vector<PlannedFile> files;
  std::vector<std::string> notes;  // what the user should know (a bumped schema version, ...)
};

std::optional<InitPlan> PlanInit(const InitOptions& options, std::string* error);

// Writes the files whose action is not kUnchanged (each through a temporary and a rename).
bool ApplyInit(const InitPlan& plan, std::string* error);

// "create   CMakePresets.json" lines, one per file, then the notes.
std::string FormatPlan(const InitPlan& plan, bool dry_run);

// Where this memsafe's package files are: <prefix>/share/memsafe/cmake beside the
// installed executable, or the source tree's cmake/ for a memsafe run from its build
// tree. "" when neither exists.
std::string PackageCMakeDir();

// This memsafe executable's own path, "" when the system does not say.
std::string ToolPath();

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_INIT_H_
