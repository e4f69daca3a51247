// What init.cc (the plan and its files) and init_presets.cc (the presets merged into the
// project's) share.
#ifndef MEMSAFE_TOOLS_INIT_INTERNAL_H_
#define MEMSAFE_TOOLS_INIT_INTERNAL_H_

#include <filesystem>
#include <string>

#include "init.h"

namespace memsafe::tools {

inline constexpr const char* kFragment = "sanitizers/memsafe-presets.json";
inline constexpr const char* kAdoptFile = "sanitizers/memsafe-adopt.cmake";
// The presets schema that has workflow presets (CMake 3.25).
inline constexpr int kPresetsVersion = 6;

// Reads `path` into `content`; false with a message when it exists but cannot be read.
// A missing file is not an error: `exists` says which.
bool ReadIfExists(const std::filesystem::path& path, std::string* content, bool* exists, std::string* error);

// Adds `content` for `relative` to the plan: created when missing, updated when
// `overwrite` and different, otherwise left as it is.
bool Plan(const InitOptions& options, const std::string& relative, const std::string& content, bool overwrite,
          bool executable, InitPlan* plan, std::string* error);

// Plans CMakePresets.json: memsafe's memory presets (from its fragment `fragment_text`,
// for the compilers asked for) merged into the project's presets.
bool PlanPresets(const InitOptions& options, const std::string& fragment_text, InitPlan* plan, std::string* error);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_INIT_INTERNAL_H_
