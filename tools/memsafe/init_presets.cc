// memsafe init's presets: memsafe's memory presets chosen from its fragment and merged
// into the project's CMakePresets.json (init_internal.h).
#include "init.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "check/test_switches.h"
#include "common/text.h"
#include "suppressions/options_lint.h"

#include "init_internal.h"

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// What init writes for one memory preset of the fragment.
struct MemoryPreset {
  std::string name;            // "asan", "asan-gcc"
  std::string building_block;  // the fragment's hidden preset, "memsafe-asan"
  std::string compiler;        // "memsafe-clang"
  std::string test;            // "memsafe-test-asan"
  std::string twin_of;         // "asan" for asan-gcc, "" for a tool's own preset
  std::string run_by;          // the test preset's vendor.memsafe.runBy; "" writes none
};

// "gcc" of "memsafe-gcc": the name --compilers takes.
std::string CompilerName(const MemoryPreset& preset) {
  const std::string_view prefix = "memsafe-";
  return preset.compiler.compare(0, prefix.size(), prefix) == 0 ? preset.compiler.substr(prefix.size())
                                                                : preset.compiler;
}

bool ReadMemoryPresets(const Json& fragment, std::vector<MemoryPreset>* presets, std::string* error) {
  if (!fragment.contains("configurePresets") || !fragment["configurePresets"].is_array()) {
    *error = "memsafe's presets fragment has no configurePresets";
    return false;
  }
  for (const Json& preset : fragment["configurePresets"]) {
    const Json::json_pointer adopt("/vendor/memsafe/adopt");
    if (!preset.is_object() || !preset.contains(adopt)) continue;
    const Json& spec = preset.at(adopt);
    if (!spec.is_object() || !spec.contains("preset") || !spec.contains("compiler") || !spec.contains("test") ||
        !spec["preset"].is_string() || !spec["compiler"].is_string() || !spec["test"].is_string() ||
        (spec.contains("twinOf") && !spec["twinOf"].is_string()) || !preset.contains("name") ||
        !preset["name"].is_string()) {
      *error = "memsafe's presets fragment: a vendor.memsafe.adopt entry needs preset, compiler and test strings";
      return false;
    }
    presets->push_back({spec["preset"].get<std::string>(), preset["name"].get<std::string>(),
                        spec["compiler"].get<std::string>(), spec["test"].get<std::string>(), spec.value("twinOf", ""),
                        ""});
  }
  if (std::none_of(presets->begin(), presets->end(), [](const MemoryPreset& p) { return p.twin_of.empty(); })) {
    *error = "memsafe's presets fragment names no memory preset (vendor.memsafe.adopt)";
    return false;
  }
  return true;
}

// The presets init writes. Without --compilers, each tool's own preset (asan and tsan
// with Clang, valgrind with GCC). With --compilers, every tool in each listed compiler:
// the tool's own preset, or else the twin of the first listed compiler, runs in
// --memory-checks, the other twins on request and in the nightly (which runs every
// preset with a tool): runBy "on-request", which leaves the rest of the project's
// presets where they were. Only in a project that names its runs ("check",
// "memory-checks") do the first presets say "memory-checks", or no run would have them.
bool ChooseMemoryPresets(const std::vector<MemoryPreset>& all, const std::vector<std::string>& compilers,
                         bool project_names_runs, std::vector<MemoryPreset>* chosen, std::string* error) {
  const std::string quick = project_names_runs ? "memory-checks" : "";
  if (compilers.empty()) {
    for (const MemoryPreset& preset : all) {
      if (!preset.twin_of.empty()) continue;
      chosen->push_back(preset);
      chosen->back().run_by = quick;
    }
    return true;
  }
  std::vector<std::string> known;
  for (const MemoryPreset& preset : all) {
    if (std::find(known.begin(), known.end(), CompilerName(preset)) == known.end()) {
      known.push_back(CompilerName(preset));
    }
  }
  for (const std::string& compiler : compilers) {
    if (std::find(known.begin(), known.end(), compiler) == known.end()) {
      *error = "--compilers: '" + compiler + "' is not one of memsafe's compilers (" + Join(known, ", ") + ")";
      return false;
    }
  }
  const auto rank = [&](const MemoryPreset& preset) {
    return std::find(compilers.begin(), compilers.end(), CompilerName(preset)) - compilers.begin();
  };
  for (const MemoryPreset& own : all) {
    if (!own.twin_of.empty()) continue;
    std::vector<MemoryPreset> tool;  // this tool's presets in the listed compilers
    for (const MemoryPreset& preset : all) {
      if ((preset.name == own.name || preset.twin_of == own.name) &&
          rank(preset) < static_cast<std::ptrdiff_t>(compilers.size())) {
        tool.push_back(preset);
      }
    }
    if (tool.empty()) {
      *error = "--compilers " + Join(compilers, ",") + ": memsafe has no " + own.name + " preset for them";
      return false;
    }
    // The tool's own preset first, then by the order of --compilers.
    std::stable_sort(tool.begin(), tool.end(), [&](const MemoryPreset& a, const MemoryPreset& b) {
      if (a.twin_of.empty() != b.twin_of.empty()) return a.twin_of.empty();
      return rank(a) < rank(b);
    });
    for (size_t i = 0; i < tool.size(); ++i) {
      tool[i].run_by = i == 0 ? quick : "on-request";
      chosen->push_back(tool[i]);
    }
  }
  return true;
}

// A preset the project already has under one of memsafe's names is memsafe's (perhaps
// edited by the project, and then kept) when it still refers to memsafe's building
// blocks; any other preset of that name is the project's own, and init refuses.
bool IsMemsafes(const std::string& kind, const Json& existing, const MemoryPreset& preset) {
  if (kind == "configurePresets") {
    if (!existing.contains("inherits")) return false;
    const Json& inherits = existing["inherits"];
    if (inherits.is_string()) return inherits.get<std::string>() == preset.building_block;
    if (!inherits.is_array()) return false;
    for (const Json& parent : inherits) {
      if (parent.is_string() && parent.get<std::string>() == preset.building_block) return true;
    }
    return false;
  }
  if (kind == "workflowPresets") {
    return existing.contains("steps") && existing["steps"].is_array() && !existing["steps"].empty() &&
           existing["steps"][0].value("name", "") == preset.name;
  }
  return existing.value("configurePreset", "") == preset.name;
}

Json PresetFor(const std::string& kind, const MemoryPreset& preset, const Json& cache_variables) {
  if (kind == "configurePresets") {
    Json configure{
        {"name", preset.name},
        {"displayName", preset.name + " (memsafe)"},
        {"inherits", Json::array({"memsafe-base", preset.compiler, preset.building_block, "memsafe-adopt"})}};
    if (!cache_variables.empty()) configure["cacheVariables"] = cache_variables;
    return configure;
  }
  if (kind == "buildPresets") return Json{{"name", preset.name}, {"configurePreset", preset.name}};
  if (kind == "testPresets") {
    Json test{{"name", preset.name}, {"configurePreset", preset.name}, {"inherits", preset.test}};
    if (!preset.run_by.empty()) test["vendor"] = Json{{"memsafe", Json{{"runBy", preset.run_by}}}};
    return test;
  }
  Json steps = Json::array();
  for (const char* type : {"configure", "build", "test"}) steps.push_back(Json{{"type", type}, {"name", preset.name}});
  return Json{{"name", preset.name}, {"steps", steps}};
}

bool MergePresets(Json* presets, const std::vector<MemoryPreset>& memory, const Json& cache_variables, InitPlan* plan,
                  std::string* error) {
  if (!presets->is_object()) {
    *error = "CMakePresets.json: the top level is not a JSON object";
    return false;
  }
  const int version =
      presets->contains("version") && (*presets)["version"].is_number_integer() ? (*presets)["version"].get<int>() : 0;
  if (version < kPresetsVersion) {
    (*presets)["version"] = kPresetsVersion;
    if (version > 0) {
      plan->notes.push_back("CMakePresets.json: schema version " + std::to_string(version) + " raised to " +
                            std::to_string(kPresetsVersion) +
                            " (workflow presets need it; CMake 3.25 or newer reads it)");
    }
  }
  Json& include = (*presets)["include"];
  if (include.is_null()) include = Json::array();
  if (!include.is_array()) {
    *error = "CMakePresets.json: \"include\" is not an array";
    return false;
  }
  bool included = false;
  for (const Json& entry : include) included = included || (entry.is_string() && entry.get<std::string>() == kFragment);
  if (!included) include.push_back(kFragment);

  for (const char* kind : {"configurePresets", "buildPresets", "testPresets", "workflowPresets"}) {
    Json& list = (*presets)[kind];
    if (list.is_null()) list = Json::array();
    if (!list.is_array()) {
      *error = std::string("CMakePresets.json: \"") + kind + "\" is not an array";
      return false;
    }
    for (const MemoryPreset& preset : memory) {
      Json* existing = nullptr;
      for (Json& entry : list) {
        if (entry.is_object() && entry.value("name", "") == preset.name) existing = &entry;
      }
      if (existing == nullptr) {
        list.push_back(PresetFor(kind, preset, cache_variables));
      } else if (IsMemsafes(kind, *existing, preset)) {
        // memsafe's preset from an earlier run: the switches found since are added, what
        // the project set there is kept. A test preset that says no run gets the one this
        // run of init gives it (a twin written as a tool's first preset by --compilers gcc
        // is on request once clang is asked for first).
        if (std::string_view(kind) == "testPresets" && !preset.run_by.empty() &&
            !existing->contains(Json::json_pointer("/vendor/memsafe/runBy"))) {
          Json& vendor = (*existing)["vendor"];
          if (vendor.is_null()) vendor = Json::object();
          if (!vendor.is_object()) continue;
          Json& memsafe = vendor["memsafe"];
          if (memsafe.is_null()) memsafe = Json::object();
          if (memsafe.is_object()) memsafe["runBy"] = preset.run_by;
          continue;
        }
        if (std::string_view(kind) != "configurePresets" || cache_variables.empty()) continue;
        Json& variables = (*existing)["cacheVariables"];
        if (variables.is_null()) variables = Json::object();
        if (!variables.is_object()) continue;
        for (const auto& [name, value] : cache_variables.items()) {
          if (!variables.contains(name)) variables[name] = value;
        }
      } else {
        *error = std::string("CMakePresets.json: the project already has a ") + kind + " entry named '" + preset.name +
                 "' that is not memsafe's; rename it (memsafe init adds presets named";
        for (const MemoryPreset& p : memory) *error += " " + p.name;
        *error += ") and run memsafe init again";
        return false;
      }
    }
  }
  return true;
}

// The presets files CMake reads besides CMakePresets.json itself: what it includes
// (memsafe's fragment aside) and CMakeUserPresets.json with what that includes, each
// once. A file that cannot be read or parsed is skipped: CMake says why.
void OtherPresetsFiles(const fs::path& file, const fs::path& top, std::set<std::string>* seen,
                       std::vector<std::pair<fs::path, Json>>* out) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(file, ec);
  if (ec || !seen->insert(canonical.string()).second) return;
  std::string text;
  if (!fs::is_regular_file(canonical, ec) || !ReadWholeFile(canonical.string(), &text)) return;
  Json document = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) return;
  if (document.contains("include") && document["include"].is_array()) {
    for (const Json& entry : document["include"]) {
      if (!entry.is_string()) continue;
      fs::path next = entry.get<std::string>();
      if (next.is_relative()) next = canonical.parent_path() / next;
      OtherPresetsFiles(next, top, seen, out);
    }
  }
  if (canonical != top) out->emplace_back(canonical, std::move(document));
}

// CMake refuses a preset name defined in two of the files it reads ("Duplicate
// presets"): a name memsafe init is about to add to CMakePresets.json must not be in
// any other one.
bool RefuseNamesDefinedElsewhere(const InitOptions& options, const Json& presets,
                                 const std::vector<MemoryPreset>& memory, std::string* error) {
  const fs::path project = options.project;
  std::error_code ec;
  const fs::path top = fs::weakly_canonical(project / "CMakePresets.json", ec);
  std::set<std::string> seen{top.string(), fs::weakly_canonical(project / kFragment, ec).string()};
  std::vector<std::pair<fs::path, Json>> files;
  if (presets.is_object() && presets.contains("include") && presets["include"].is_array()) {
    for (const Json& entry : presets["include"]) {
      if (entry.is_string()) OtherPresetsFiles(project / entry.get<std::string>(), top, &seen, &files);
    }
  }
  OtherPresetsFiles(project / "CMakeUserPresets.json", top, &seen, &files);
  for (const auto& [file, document] : files) {
    for (const char* kind : {"configurePresets", "buildPresets", "testPresets", "workflowPresets"}) {
      if (!document.contains(kind) || !document[kind].is_array()) continue;
      for (const Json& entry : document[kind]) {
        const std::string name = entry.is_object() ? entry.value("name", "") : "";
        for (const MemoryPreset& preset : memory) {
          if (name != preset.name) continue;
          *error = fs::relative(file, project, ec).string() + " already defines a " + kind + " entry named '" + name +
                   "', a name memsafe init adds to CMakePresets.json, and CMake refuses a preset defined in two "
                   "files: rename it (memsafe's presets are";
          for (const MemoryPreset& p : memory) *error += " " + p.name;
          *error += ") and run memsafe init again";
          return false;
        }
      }
    }
  }
  return true;
}

}  // namespace

bool PlanPresets(const InitOptions& options, const std::string& fragment_text, InitPlan* plan, std::string* error) {
  Json fragment;
  try {
    fragment = Json::parse(fragment_text);
  } catch (const Json::exception& e) {
    *error = std::string("memsafe's presets fragment is not valid JSON: ") + e.what();
    return false;
  }
  std::vector<MemoryPreset> offered, memory;
  if (!ReadMemoryPresets(fragment, &offered, error)) return false;

  const std::string relative = "CMakePresets.json";
  std::string text;
  bool exists = false;
  if (!ReadIfExists(fs::path(options.project) / relative, &text, &exists, error)) return false;
  Json presets = Json::object();
  if (exists) {
    try {
      presets = Json::parse(text);
    } catch (const Json::exception& e) {
      *error =
          "CMakePresets.json is not valid JSON (" + std::string(e.what()) + "): fix it, then run memsafe init again";
      return false;
    }
  }
  bool names_runs = false;
  if (presets.is_object() && presets.contains("testPresets") && presets["testPresets"].is_array()) {
    for (const Json& test : presets["testPresets"]) {
      const Json::json_pointer run_by("/vendor/memsafe/runBy");
      if (!test.is_object() || !test.contains(run_by) || !test.at(run_by).is_string()) continue;
      const std::string run = test.at(run_by).get<std::string>();
      names_runs = names_runs || run == "check" || run == "memory-checks";
    }
  }
  if (!ChooseMemoryPresets(offered, options.compilers, names_runs, &memory, error)) return false;
  // The project's test switches, ON in every memory preset, and what --set adds.
  Json cache_variables = Json::object();
  std::vector<std::string> switched;
  std::string top_text;
  (void)ReadWholeFile((fs::path(options.project) / "CMakeLists.txt").string(), &top_text);  // checked by PlanInit
  const SwitchChoice choice =
      ChooseTestSwitches(FindTestSwitches(ProjectCMakeFiles(options.project), options.project), ProjectName(top_text));
  for (const auto& [found, value] : choice.set) {
    cache_variables[found.name] = value;
    switched.push_back(found.name + "=" + value + " (" + found.where +
                       (found.default_value.empty() ? "" : ", default " + found.default_value) + ")");
  }
  if (!choice.left.empty()) {
    std::vector<std::string> left;
    for (const TestSwitch& found : choice.left) left.push_back(found.name + " (" + found.where + ")");
    plan->notes.push_back(
        "test switches left as the project has them, variants that may need more than this machine "
        "has: " +
        Join(left, ", ") + " (memsafe init --set NAME=ON to turn one on)");
  }
  for (const std::string& assignment : options.set_variables) {
    const size_t equals = assignment.find('=');
    if (equals == 0 || equals == std::string::npos) {
      *error = "--set '" + assignment + "': give NAME=VALUE";
      return false;
    }
    cache_variables[assignment.substr(0, equals)] = assignment.substr(equals + 1);
  }
  if (!switched.empty()) {
    plan->notes.push_back("the project's tests are behind switches of its own, set in the memory presets: " +
                          Join(switched, ", ") + " (memsafe init --set NAME=VALUE for one it did not find)");
  }
  if (!RefuseNamesDefinedElsewhere(options, presets, memory, error)) return false;
  const Json before = presets;
  if (!MergePresets(&presets, memory, cache_variables, plan, error)) return false;
  // What the presets file says once merged (an earlier init's presets included).
  std::vector<std::string> on_request;
  for (const Json& test : presets["testPresets"]) {
    const Json::json_pointer run_by("/vendor/memsafe/runBy");
    if (test.is_object() && test.contains(run_by) && test.at(run_by) == "on-request") {
      on_request.push_back(test.value("name", ""));
    }
  }
  if (!on_request.empty()) {
    plan->notes.push_back(
        "run in the nightly and on request, not by the quick memsafe check --memory-checks: " + Join(on_request, ", ") +
        " (memsafe check --memory-checks --preset " + Join(on_request, ",") + ")");
  }
  PlannedFile file{relative, presets.dump(2) + "\n", FileAction::kCreate, false};
  if (exists) {
    // The project's own formatting is kept when nothing is added.
    file.action = presets == before ? FileAction::kUnchanged : FileAction::kUpdate;
    if (file.action == FileAction::kUnchanged) file.content = text;
  }
  plan->files.push_back(std::move(file));
  return true;
}

}  // namespace memsafe::tools
