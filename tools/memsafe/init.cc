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

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr const char* kFragment = "sanitizers/memsafe-presets.json";
constexpr const char* kAdoptFile = "sanitizers/memsafe-adopt.cmake";
// The presets schema that has workflow presets (CMake 3.25).
constexpr int kPresetsVersion = 6;

// Reads `path` into `content`; false with a message when it exists but cannot be read.
// A missing file is not an error: `exists` says which.
bool ReadIfExists(const fs::path& path, std::string* content, bool* exists, std::string* error) {
  std::error_code ec;
  *exists = fs::exists(fs::symlink_status(path, ec)) || fs::exists(path, ec);
  if (!*exists) return true;
  std::string why;
  if (!ReadWholeFile(path.string(), content, &why)) {
    *error = path.string() + ": " + why;
    return false;
  }
  return true;
}

// Adds `content` for `relative` to the plan: created when missing, updated when
// `overwrite` and different, otherwise left as it is.
bool Plan(const InitOptions& options, const std::string& relative, const std::string& content, bool overwrite,
          bool executable, InitPlan* plan, std::string* error) {
  std::string existing;
  bool exists = false;
  if (!ReadIfExists(fs::path(options.project) / relative, &existing, &exists, error)) return false;
  PlannedFile file{relative, content, FileAction::kUnchanged, executable};
  if (!exists) {
    file.action = FileAction::kCreate;
  } else if (overwrite && existing != content) {
    file.action = FileAction::kUpdate;
  } else {
    file.content = existing;
  }
  plan->files.push_back(std::move(file));
  return true;
}

bool ReadTemplate(const InitOptions& options, const std::string& name, std::string* content, std::string* error) {
  std::string why;
  const fs::path path = fs::path(options.package_dir) / name;
  if (!ReadWholeFile(path.string(), content, &why)) {
    *error = "memsafe's package file " + path.string() + ": " + why + " (an incomplete installation?)";
    return false;
  }
  return true;
}

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

// "0.1" of "0.1.0": the versions of memsafe the adopt file accepts (the package says
// which are compatible).
std::string MajorMinor(const std::string& version) {
  const std::size_t first = version.find('.');
  if (first == std::string::npos) return version;
  const std::size_t second = version.find('.', first + 1);
  return version.substr(0, second);
}

std::string Workflow(const std::string& action, const std::string& version) {
  std::ostringstream out;
  out << "# Written by memsafe init: memsafe's memory checks of every preset, nightly and on demand.\n"
      << "name: memsafe nightly\n"
      << "on:\n"
      << "  schedule:\n"
      << "    - cron: \"23 2 * * *\"\n"
      << "  workflow_dispatch:\n"
      << "permissions:\n"
      << "  contents: read\n"
      << "jobs:\n"
      << "  memory-checks:\n"
      << "    runs-on: ubuntu-latest\n"
      << "    container: debian:bookworm\n"
      << "    steps:\n"
      << "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n"
      << "      - uses: " << action << " # memsafe " << version << "\n"
      << "        with:\n"
      << "          slow: true\n";
  return out.str();
}

// Writes through a symbolic link (the project keeps its link; the file it points at
// changes) and keeps an existing file's permission bits.
bool WriteAtomically(const fs::path& link, const std::string& content, bool executable, std::string* error) {
  std::error_code ec;
  fs::path path = link;
  if (fs::is_symlink(fs::symlink_status(link, ec))) {
    path = fs::canonical(link, ec);
    if (ec) {
      *error = link.string() + ": a symbolic link to a file that cannot be resolved: " + ec.message();
      return false;
    }
  }
  const fs::file_status existing = fs::status(path, ec);
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    *error = path.parent_path().string() + ": " + ec.message();
    return false;
  }
  const fs::path temporary = path.string() + ".memsafe-init";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      *error = temporary.string() + ": cannot write: " + std::strerror(errno);
      fs::remove(temporary, ec);
      return false;
    }
  }
  if (fs::is_regular_file(existing)) {
    fs::permissions(temporary, existing.permissions(), fs::perm_options::replace, ec);
  } else if (executable) {
    fs::permissions(temporary, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, ec);
  }
  fs::rename(temporary, path, ec);
  if (ec) {
    *error = path.string() + ": " + ec.message();
    std::error_code ignored;
    (void)fs::remove(temporary, ignored);  // best effort: the rename's error is the one to report
    return false;
  }
  return true;
}

// A file the project made read-only is not init's to replace (a rename would, since it
// needs only the directory writable): the plan stops before anything is written.
bool RefuseReadOnlyUpdates(const InitPlan& plan, std::string* error) {
  for (const PlannedFile& file : plan.files) {
    if (file.action != FileAction::kUpdate) continue;
    const fs::path path = fs::path(plan.project) / file.path;
    // The mode bits, not only access(): root may write anything, and a file without its
    // write bit still says "do not touch".
    std::error_code ec;
    const fs::perms mode = fs::status(path, ec).permissions();
    const bool no_write_bit = !ec && (mode & fs::perms::owner_write) == fs::perms::none;
    if (no_write_bit || access(path.c_str(), W_OK) != 0) {
      *error = file.path +
               " would change but is read-only: make it writable (memsafe init --dry-run shows the "
               "change), then run memsafe init again";
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<InitPlan> PlanInit(const InitOptions& options, std::string* error) {
  InitPlan plan;
  plan.project = options.project;
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(options.project) / "CMakeLists.txt", ec)) {
    *error = options.project + " has no CMakeLists.txt: run memsafe init in a CMake project's top directory";
    return std::nullopt;
  }
  if (options.package_dir.empty()) {
    *error = "memsafe's package files (share/memsafe/cmake) were not found beside this memsafe executable";
    return std::nullopt;
  }
  if (!options.action.empty() &&
      !std::regex_match(options.action, std::regex("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+@[0-9a-f]{40}"))) {
    *error = "--action '" + options.action + "': give OWNER/REPO@<40-hex commit>, actions are pinned by commit";
    return std::nullopt;
  }

  std::string fragment;
  if (!ReadTemplate(options, "memsafe-presets.json", &fragment, error)) return std::nullopt;
  if (!PlanPresets(options, fragment, &plan, error)) return std::nullopt;
  if (!Plan(options, kFragment, fragment, /*overwrite=*/true, false, &plan, error)) return std::nullopt;

  std::string adopt;
  if (!ReadTemplate(options, "templates/memsafe-adopt.cmake", &adopt, error)) return std::nullopt;
  const std::string marker = "@MEMSAFE_VERSION_MAJOR_MINOR@";
  if (const std::size_t at = adopt.find(marker); at != std::string::npos) {
    adopt.replace(at, marker.size(), MajorMinor(options.version));
  }
  if (!Plan(options, kAdoptFile, adopt, /*overwrite=*/true, false, &plan, error)) return std::nullopt;

  // The project's own files from here on: written once, never overwritten.
  for (const char* name :
       {"asan.supp", "lsan.supp", "tsan.supp", "valgrind.supp", "ubsan_ignorelist.txt", "options.txt", "exclude.txt"}) {
    std::string content;
    if (!ReadTemplate(options, std::string("templates/") + name, &content, error)) return std::nullopt;
    if (!Plan(options, std::string("sanitizers/") + name, content, false, false, &plan, error)) return std::nullopt;
  }
  if (!options.action.empty()) {
    if (!Plan(options, ".github/workflows/memsafe.yml", Workflow(options.action, options.version), false, false, &plan,
              error)) {
      return std::nullopt;
    }
  } else {
    plan.notes.push_back("no nightly workflow written: pass --action OWNER/REPO@SHA (memsafe's action) for one");
  }
  if (options.pre_push_hook) {
    if (!fs::is_directory(fs::path(options.project) / ".git", ec)) {
      *error = "--pre-push-hook: " + options.project + " is not the top of a git work tree (no .git directory)";
      return std::nullopt;
    }
    const std::string hook =
        "#!/bin/sh\n"
        "# Written by memsafe init: the quick memory checks before every push (git push --no-verify skips them).\n"
        "exec memsafe check --memory-checks --preset asan\n";
    if (!Plan(options, ".git/hooks/pre-push", hook, false, true, &plan, error)) return std::nullopt;
    if (plan.files.back().action == FileAction::kUnchanged && plan.files.back().content != hook) {
      plan.notes.push_back(".git/hooks/pre-push exists and is not memsafe's: left as it is");
    }
  }
  return plan;
}

bool ApplyInit(const InitPlan& plan, std::string* error) {
  if (!RefuseReadOnlyUpdates(plan, error)) return false;
  for (const PlannedFile& file : plan.files) {
    if (file.action == FileAction::kUnchanged) continue;
    if (!WriteAtomically(fs::path(plan.project) / file.path, file.content, file.executable, error)) return false;
  }
  return true;
}

std::string FormatPlan(const InitPlan& plan, bool dry_run) {
  std::ostringstream out;
  int changes = 0;
  for (const PlannedFile& file : plan.files) {
    const char* verb = file.action == FileAction::kCreate   ? "create"
                       : file.action == FileAction::kUpdate ? "update"
                                                            : "keep";
    if (file.action != FileAction::kUnchanged) ++changes;
    out << (dry_run && file.action != FileAction::kUnchanged ? "would " : "") << verb << "  " << file.path << "\n";
  }
  for (const std::string& note : plan.notes) out << "note: " << note << "\n";
  if (changes == 0) {
    out << "memsafe init: nothing to change\n";
  } else {
    out << "memsafe init: " << changes << " file(s) "
        << (dry_run ? "would change (dry run, nothing written)" : "written") << "\n";
  }
  return out.str();
}

std::string ToolPath() {
  std::error_code ec;
  std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) return {};
  // Rebuilt while it runs (memsafe check building memsafe's own dev preset): the path
  // names the new executable, which is the one to use.
  constexpr std::string_view kDeleted = " (deleted)";
  if (self.size() > kDeleted.size() && self.compare(self.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0) {
    self.erase(self.size() - kDeleted.size());
  }
  return self;
}

std::string PackageCMakeDir() {
  std::error_code ec;
  const fs::path self = ToolPath();
  if (!self.empty()) {
    const fs::path installed = self.parent_path().parent_path() / "share" / "memsafe" / "cmake";
    if (fs::is_regular_file(installed / "MemorySafety.cmake", ec)) return installed.string();
  }
#ifdef MEMSAFE_SOURCE_CMAKE_DIR
  if (fs::is_regular_file(fs::path(MEMSAFE_SOURCE_CMAKE_DIR) / "MemorySafety.cmake", ec))
    return MEMSAFE_SOURCE_CMAKE_DIR;
#endif
  return {};
}

}  // namespace memsafe::tools
