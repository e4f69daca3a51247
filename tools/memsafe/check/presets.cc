#include "check/presets.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "common/text.h"

namespace memsafe::tools {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct Loaded {
  std::map<std::string, json> configure, build, test;
  std::vector<std::string> test_order;
};

bool LoadFile(const fs::path& path, Loaded* loaded, std::set<std::string>* seen, std::string* error) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(path, ec);
  if (!seen->insert(canonical.string()).second) return true;  // included twice: once is enough
  std::string text;
  if (!fs::is_regular_file(canonical, ec) || !ReadWholeFile(canonical.string(), &text)) {
    *error = path.string() + ": cannot read the presets file";
    return false;
  }
  const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    *error = path.string() + ": not valid JSON";
    return false;
  }
  const auto add = [&](const char* kind, std::map<std::string, json>* into, std::vector<std::string>* order) {
    if (!document.contains(kind)) return true;
    if (!document[kind].is_array()) {
      *error = path.string() + ": '" + kind + "' is not an array";
      return false;
    }
    for (const json& preset : document[kind]) {
      if (!preset.is_object() || !preset.contains("name") || !preset["name"].is_string()) {
        *error = path.string() + ": a preset in '" + kind + "' has no name";
        return false;
      }
      const std::string name = preset["name"];
      if (into->count(name) != 0) {
        *error = path.string() + ": preset '" + name + "' is defined twice";
        return false;
      }
      (*into)[name] = preset;
      if (order != nullptr) order->push_back(name);
    }
    return true;
  };
  if (!add("configurePresets", &loaded->configure, nullptr) || !add("buildPresets", &loaded->build, nullptr) ||
      !add("testPresets", &loaded->test, &loaded->test_order)) {
    return false;
  }
  if (document.contains("include")) {
    if (!document["include"].is_array()) {
      *error = path.string() + ": 'include' is not an array";
      return false;
    }
    for (const json& include : document["include"]) {
      if (!include.is_string()) continue;
      fs::path next = include.get<std::string>();
      if (next.is_relative()) next = canonical.parent_path() / next;
      if (!LoadFile(next, loaded, seen, error)) return false;
    }
  }
  return true;
}

std::vector<std::string> Parents(const json& preset) {
  std::vector<std::string> parents;
  if (!preset.contains("inherits")) return parents;
  const json& inherits = preset["inherits"];
  if (inherits.is_string()) parents.push_back(inherits);
  if (inherits.is_array()) {
    for (const json& parent : inherits) {
      if (parent.is_string()) parents.push_back(parent);
    }
  }
  return parents;
}

// The string at `pointer` in preset `name` or, depth first, its parents (the first
// match wins, as in CMake); nullopt when nowhere set.
std::optional<std::string> Resolve(const std::map<std::string, json>& presets, const std::string& name,
                                   const json::json_pointer& pointer, int depth, std::string* error) {
  const auto it = presets.find(name);
  if (it == presets.end()) {
    if (error->empty()) *error = "preset '" + name + "' is inherited or named but not defined";
    return std::nullopt;
  }
  if (depth > 64) {
    if (error->empty()) *error = "preset '" + name + "': inheritance cycle";
    return std::nullopt;
  }
  if (it->second.contains(pointer)) {
    const json& value = it->second.at(pointer);
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return std::string(value.get<bool>() ? "ON" : "OFF");
    if (value.is_object() && value.contains("value") && value["value"].is_string())
      return value["value"].get<std::string>();
    return std::nullopt;
  }
  for (const std::string& parent : Parents(it->second)) {
    if (auto found = Resolve(presets, parent, pointer, depth + 1, error)) return found;
    if (!error->empty()) return std::nullopt;
  }
  return std::nullopt;
}

// Expands the preset macros CMake documents for binaryDir.
std::string ExpandMacros(const std::string& text, const std::string& source_dir, const std::string& preset,
                         const std::string& generator) {
  const fs::path source(source_dir);
  const std::map<std::string, std::string> values = {
      {"sourceDir", source_dir},
      {"sourceParentDir", source.parent_path().string()},
      {"sourceDirName", source.filename().string()},
      {"presetName", preset},
      {"generator", generator},
      {"hostSystemName", "Linux"},
      {"fileDir", source_dir},
      {"dollar", "$"},
      {"pathListSep", ":"},
  };
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '$') {
      const size_t open = text.find('{', i);
      const size_t close = text.find('}', i);
      if (open != std::string::npos && close != std::string::npos && open < close) {
        const std::string prefix = text.substr(i + 1, open - i - 1);
        const std::string name = text.substr(open + 1, close - open - 1);
        if (prefix.empty() && values.count(name) != 0) {
          out += values.at(name);
          i = close + 1;
          continue;
        }
        if (prefix == "env" || prefix == "penv") {
          const char* value = std::getenv(name.c_str());
          out += value != nullptr ? value : "";
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

int ShardsOf(const json& preset) {
  const json::json_pointer pointer("/vendor/memsafe/shards");
  if (!preset.contains(pointer) || !preset.at(pointer).is_number_integer()) return 1;
  const long long shards = preset.at(pointer).get<long long>();
  return shards >= 1 && shards <= 64 ? static_cast<int>(shards) : 1;
}

// `cmake --list-presets` lists configure presets first, so a user may well name one.
std::string UnknownPreset(const PresetSet& set, const std::string& name) {
  if (std::find(set.configure_presets.begin(), set.configure_presets.end(), name) == set.configure_presets.end()) {
    return "unknown preset '" + name + "' (see --list)";
  }
  std::vector<std::string> testing;
  for (const TestPreset& preset : set.test_presets) {
    if (preset.configure_preset == name) testing.push_back(preset.name);
  }
  std::string text = "'" + name + "' is a configure preset, and memsafe check runs test presets: ";
  if (!testing.empty())
    return text + "name " + Join(testing, " or ") + ", which test" + (testing.size() == 1 ? "s" : "") + " it";
  return text + "none tests it; add one to CMakeUserPresets.json, e.g. {\"name\": \"" + name +
         "-test\", \"configurePreset\": \"" + name +
         "\", \"inherits\": \"asan\"} (a test preset of memsafe's "
         "sets what the run checks), or see --list";
}

}  // namespace

std::optional<PresetSet> LoadPresets(const std::string& path, std::string* error) {
  Loaded loaded;
  std::set<std::string> seen;
  error->clear();
  if (!LoadFile(path, &loaded, &seen, error)) return std::nullopt;
  std::error_code ec;
  if (const fs::path user = fs::path(path).parent_path() / "CMakeUserPresets.json"; fs::exists(user, ec)) {
    if (!LoadFile(user, &loaded, &seen, error)) return std::nullopt;
  }
  PresetSet set;
  set.files.assign(seen.begin(), seen.end());
  for (const auto& [name, preset] : loaded.configure) {
    if (!preset.value("hidden", false)) set.configure_presets.push_back(name);
  }
  set.source_dir = fs::weakly_canonical(fs::absolute(path), ec).parent_path().string();
  for (const std::string& name : loaded.test_order) {
    const json& preset = loaded.test.at(name);
    if (preset.value("hidden", false)) continue;
    TestPreset test;
    test.name = name;
    std::string resolve_error;
    test.tools =
        Resolve(loaded.test, name, json::json_pointer("/environment/MEMSAFE_EXPECT"), 0, &resolve_error).value_or("");
    if (test.tools == "-") test.tools.clear();
    const std::optional<std::string> configure =
        Resolve(loaded.test, name, json::json_pointer("/configurePreset"), 0, &resolve_error);
    if (!resolve_error.empty()) {
      *error = path + ": " + resolve_error;
      return std::nullopt;
    }
    if (!configure) {
      *error = path + ": test preset '" + name + "' names no configurePreset";
      return std::nullopt;
    }
    test.configure_preset = *configure;
    test.repeat_mode =
        Resolve(loaded.test, name, json::json_pointer("/execution/repeat/mode"), 0, &resolve_error).value_or("");
    const std::string generator =
        Resolve(loaded.configure, *configure, json::json_pointer("/generator"), 0, &resolve_error).value_or("");
    const std::optional<std::string> binary_dir =
        Resolve(loaded.configure, *configure, json::json_pointer("/binaryDir"), 0, &resolve_error);
    test.cxx_compiler = Resolve(loaded.configure, *configure, json::json_pointer("/cacheVariables/CMAKE_CXX_COMPILER"),
                                0, &resolve_error)
                            .value_or("");
    test.c_compiler =
        Resolve(loaded.configure, *configure, json::json_pointer("/cacheVariables/CMAKE_C_COMPILER"), 0, &resolve_error)
            .value_or("");
    if (!resolve_error.empty()) {
      *error = path + ": " + resolve_error;
      return std::nullopt;
    }
    if (!binary_dir) {
      *error = path + ": configure preset '" + *configure + "' has no binaryDir, so its build tree is unknown";
      return std::nullopt;
    }
    test.generator = generator;
    fs::path dir = ExpandMacros(*binary_dir, set.source_dir, *configure, generator);
    if (dir.is_relative()) dir = fs::path(set.source_dir) / dir;
    test.binary_dir = dir.lexically_normal().string();
    if (const json::json_pointer run_by("/vendor/memsafe/runBy");
        preset.contains(run_by) && preset.at(run_by).is_string()) {
      test.run_by = preset.at(run_by).get<std::string>();
    }
    test.shards = ShardsOf(preset);
    for (const auto& [build_name, build] : loaded.build) {
      std::string ignored;
      if (Resolve(loaded.build, build_name, json::json_pointer("/configurePreset"), 0, &ignored) == *configure &&
          !build.value("hidden", false) && (!test.has_build_preset || build_name == *configure)) {
        test.has_build_preset = true;
        test.build_preset = build_name;
      }
    }
    set.test_presets.push_back(std::move(test));
  }
  return set;
}

bool SelectPresets(const PresetSet& set, const std::string& requested, const std::string& default_set, bool need_tool,
                   std::vector<const TestPreset*>* chosen, std::string* error) {
  chosen->clear();
  const auto find = [&](const std::string& name) -> const TestPreset* {
    for (const TestPreset& preset : set.test_presets) {
      if (preset.name == name) return &preset;
    }
    return nullptr;
  };
  if (requested.empty()) {
    // A project that names none of the two runs: the memory run is every preset with a
    // tool, the fast run every preset without one, but those it runs only on request
    // (memsafe init's twins in the other compiler).
    const bool any_run_by = std::any_of(set.test_presets.begin(), set.test_presets.end(), [](const TestPreset& p) {
      return p.run_by == "check" || p.run_by == "memory-checks";
    });
    for (const TestPreset& preset : set.test_presets) {
      bool in_set = default_set == "all" ? !preset.tools.empty() : preset.run_by == default_set;
      const bool asked_for = preset.run_by != "on-request";
      if (!any_run_by && default_set == "memory-checks") in_set = !preset.tools.empty() && asked_for;
      if (!any_run_by && default_set == "check") in_set = preset.tools.empty() && asked_for;
      if (in_set && (!need_tool || !preset.tools.empty())) chosen->push_back(&preset);
    }
    if (chosen->empty()) {
      *error = default_set == "check"
                   ? "no test preset has \"vendor\": {\"memsafe\": {\"runBy\": \"check\"}} (name one with --preset)"
                   : "no test preset runs a memory tool in the '" + default_set + "' set (see --list)";
      return false;
    }
    return true;
  }
  size_t start = 0;
  while (true) {
    const size_t comma = requested.find(',', start);
    const std::string name = requested.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (name.empty()) {
      *error = "--preset wants NAME[,NAME...] without empty names, got '" + requested + "'";
      return false;
    }
    const TestPreset* preset = find(name);
    if (preset == nullptr) {
      *error = UnknownPreset(set, name);
      return false;
    }
    if (need_tool && preset->tools.empty()) {
      *error = "preset '" + name + "' runs no memory tool (see --list)";
      return false;
    }
    if (std::find(chosen->begin(), chosen->end(), preset) != chosen->end()) {
      *error = "preset '" + name + "' is named twice";
      return false;
    }
    chosen->push_back(preset);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

std::string FormatMatrix(const std::vector<const TestPreset*>& presets) {
  json include = json::array();
  for (const TestPreset* preset : presets) {
    for (int i = 1; i <= preset->shards; ++i) {
      const std::string shard = std::to_string(i) + "/" + std::to_string(preset->shards);
      include.push_back({{"preset", preset->name},
                         {"compiler", preset->cxx_compiler.empty() ? "-" : preset->cxx_compiler},
                         {"shard", shard},
                         {"slug", preset->name + "-" + std::to_string(i) + "-of-" + std::to_string(preset->shards)}});
    }
  }
  return json{{"include", include}}.dump() + "\n";
}

std::string FormatPresetList(const PresetSet& set) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-16s %-24s %-15s %-10s %s\n", "PRESET", "TOOLS", "RUN-BY", "COMPILER", "SHARDS");
  out += line;
  for (const TestPreset& preset : set.test_presets) {
    const auto dash = [](const std::string& text) { return text.empty() ? std::string("-") : text; };
    std::snprintf(line, sizeof line, "%-16s %-24s %-15s %-10s %d\n", preset.name.c_str(), dash(preset.tools).c_str(),
                  dash(preset.run_by).c_str(), dash(preset.cxx_compiler).c_str(), preset.shards);
    out += line;
  }
  return out;
}

bool ParseShard(const std::string& text, int* index, int* count) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= text.size()) return false;
  const auto number = [](std::string_view digits, int* out) {
    if (digits.empty() || digits.size() > 4 || digits[0] == '0') return false;
    int value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    *out = value;
    return true;
  };
  const std::string_view view = text;
  return number(view.substr(0, slash), index) && number(view.substr(slash + 1), count) && *index <= *count &&
         *count <= 1000;
}

std::string ShardSelection(int index, int count, const std::vector<int>& always) {
  std::string spec = std::to_string(index) + ",," + std::to_string(count);
  for (int number : always) spec += "," + std::to_string(number);
  return spec;
}

}  // namespace memsafe::tools
