// `memsafe init`: adopt memsafe in a CMake project without editing its CMake files.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/cli.h"
#include "common/commands.h"
#include "init.h"

namespace memsafe::cli {
namespace {

struct InitState {
  tools::InitOptions options;
  bool dry_run = false;
};

int RunInit(InitState& state) {
  state.options.package_dir = tools::PackageCMakeDir();
  state.options.version = MEMSAFE_VERSION;
  std::string error;
  const std::optional<tools::InitPlan> plan = tools::PlanInit(state.options, &error);
  if (!plan) {
    std::cerr << "memsafe init: " << error << "\n";
    return tools::kUsage;
  }
  if (!state.dry_run && !tools::ApplyInit(*plan, &error)) {
    std::cerr << "memsafe init: " << error << "\n";
    return tools::kUsage;
  }
  std::cout << tools::FormatPlan(*plan, state.dry_run);
  const bool changed = std::any_of(plan->files.begin(), plan->files.end(), [](const tools::PlannedFile& f) {
    return f.action != tools::FileAction::kUnchanged;
  });
  if (!state.dry_run && changed) {
    // One preset with CMake alone: asan, or asan-gcc for a project adopted with gcc only.
    const std::vector<std::string>& compilers = state.options.compilers;
    const bool clang = compilers.empty() || std::find(compilers.begin(), compilers.end(), "clang") != compilers.end();
    std::cout << "next: memsafe check --memory-checks   (or cmake --workflow --preset " << (clang ? "asan" : "asan-gcc")
              << ")\n";
  }
  return tools::kClean;
}

}  // namespace

void AddInitCommand(CLI::App& app, int* status) {
  auto state = std::make_shared<InitState>();
  CLI::App* init = app.add_subcommand(
      "init",
      "Adopt memsafe in an existing CMake project without editing its CMake files: memory presets (asan, tsan, "
      "valgrind: configure, build, test and workflow presets) merged into CMakePresets.json, sanitizers/ with "
      "empty suppression files and the file CMake includes at the first project() call, and a nightly workflow. "
      "A second run changes nothing; files the project owns are never overwritten.");
  init->add_option("--project", state->options.project, "The project's top directory (default: .)");
  init->add_flag("--dry-run", state->dry_run, "List what would be written, write nothing");
  init->add_option("--action", state->options.action,
                   "memsafe's GitHub action as OWNER/REPO@<commit>: write .github/workflows/memsafe.yml using it");
  init->add_flag("--pre-push-hook", state->options.pre_push_hook,
                 "Also write .git/hooks/pre-push running the quick memory checks");
  init->add_option("--set", state->options.set_variables,
                   "NAME=VALUE: a cache variable the memory presets set, such as a test switch init did not find "
                   "(repeatable)");
  init->add_option("--compilers", state->options.compilers,
                   "clang,gcc: every memory preset in each compiler (asan-gcc, tsan-gcc and valgrind-clang beside "
                   "asan, tsan and valgrind); the first of a tool's presets runs in --memory-checks, the others on "
                   "request and nightly")
      ->delimiter(',');
  init->callback([state, status] { *status = RunInit(*state); });
}

}  // namespace memsafe::cli
