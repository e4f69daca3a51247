#include "result_cache.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "process.h"
#include "text.h"

extern char** environ;

namespace memsafe::tools {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Files up to this size are read and hashed every time; larger ones (executables,
// libraries) only when their size, modification time or inode changed.
constexpr long long kContentBytes = 1 << 20;

bool IsElf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::string_view(magic, 4) ==
                                  "\x7f"
                                  "ELF";
}

// The shared libraries an executable loads, as the dynamic loader resolves them.
std::vector<std::string> SharedLibraries(const std::string& executable) {
  ProcessOptions options;
  options.capture_stdout = true;
  const ProcessResult listed = RunProcess({"ldd", executable}, options);
  std::vector<std::string> libraries;
  if (!listed.started) return {"(ldd not available)"};
  for (std::string_view line : SplitLines(listed.output)) {
    line = Trim(line);
    // "libfoo.so.1 => /lib/x86_64-linux-gnu/libfoo.so.1 (0x...)" or "/lib64/ld-linux... (0x...)"
    if (const size_t arrow = line.find("=> "); arrow != std::string_view::npos) line.remove_prefix(arrow + 3);
    const std::string_view path = line.substr(0, line.find(' '));
    if (!path.empty() && path[0] == '/') libraries.emplace_back(path);
  }
  return libraries;
}

// Size, modification time and inode: what changes when a file is rewritten or replaced.
std::string StampOf(const struct stat& info) {
  return std::to_string(info.st_size) + " " + std::to_string(info.st_mtim.tv_sec) + "." +
         std::to_string(info.st_mtim.tv_nsec) + " " + std::to_string(info.st_ino);
}

}  // namespace

std::string FileStamp(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "missing";
  return StampOf(info);
}

std::map<std::string, std::string> ProgramStamps(std::string_view show_only_json) {
  std::map<std::string, std::string> stamps;
  const json document = json::parse(show_only_json, nullptr, false);
  if (!document.is_object() || !document.contains("tests") || !document["tests"].is_array()) return stamps;
  for (const json& test : document["tests"]) {
    if (!test.is_object() || !test.contains("command") || !test["command"].is_array()) continue;
    for (const json& arg : test["command"]) {
      if (!arg.is_string()) continue;
      const std::string path = arg;
      std::error_code ignored;
      // Compiled programs only: a test may name a data file it rewrites itself.
      if (path.empty() || path[0] != '/' || stamps.count(path) || !fs::is_regular_file(path, ignored) || !IsElf(path)) {
        continue;
      }
      stamps[path] = FileStamp(path);
    }
  }
  return stamps;
}

std::vector<std::string> ChangedPrograms(const std::map<std::string, std::string>& before) {
  std::vector<std::string> changed;
  for (const auto& [path, stamp] : before) {
    if (FileStamp(path) != stamp) changed.push_back(path);
  }
  return changed;
}

std::string Fingerprint(const std::string& path, std::map<std::string, std::pair<std::string, std::string>>* contents) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "missing";
  if (!S_ISREG(info.st_mode)) return "not a file";
  if (info.st_size <= kContentBytes) {
    std::string content;
    if (ReadWholeFile(path, &content)) return "content " + Hex64(Fnv1a(content));
  }
  const std::string stamp = StampOf(info);
  if (contents != nullptr) {
    if (const auto it = contents->find(path); it != contents->end() && it->second.first == stamp) {
      return "content " + it->second.second;
    }
  }
  // Eight bytes at a time: executables of sanitizer builds are tens of megabytes.
  std::ifstream in(path, std::ios::binary);
  std::vector<char> block(1 << 20);
  std::uint64_t hash = 0x9e3779b97f4a7c15ULL ^ static_cast<std::uint64_t>(info.st_size);
  while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0) {
    const auto got = static_cast<std::size_t>(in.gcount());
    std::size_t i = 0;
    for (; i + 8 <= got; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, block.data() + i, 8);
      hash = (hash ^ word) * 0x100000001b3ULL;
      hash ^= hash >> 29;
    }
    for (; i < got; ++i) hash = (hash ^ static_cast<unsigned char>(block[i])) * 0x100000001b3ULL;
  }
  if (in.bad()) return "unreadable " + stamp;
  const std::string hex = Hex64(hash);
  if (contents != nullptr) (*contents)[path] = {stamp, hex};
  return "content " + hex;
}

std::string ToolEnvironment() {
  std::vector<std::string> lines;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    const std::string_view name = text.substr(0, text.find('='));
    if (name.starts_with("MEMSAFE_") || name.ends_with("_OPTIONS") || name.starts_with("VALGRIND_")) {
      lines.emplace_back(text);
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string joined;
  for (const std::string& line : lines) joined += line + "\n";
  return joined;
}

std::string ExactNamesRegex(const std::vector<std::string>& names) {
  std::string regex = "^(";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) regex += '|';
    for (char c : names[i]) {
      if (std::string_view(".^$|()[]*+?\\").find(c) != std::string_view::npos) regex += '\\';
      regex += c;
    }
  }
  return regex + ")$";
}

std::optional<std::map<std::string, CacheEntry>> ListTests(std::string_view show_only_json, const CacheContext& context,
                                                           std::string* error) {
  const json document = json::parse(show_only_json, nullptr, false);
  if (!document.is_object() || !document.contains("tests") || !document["tests"].is_array()) {
    *error = "ctest --show-only=json-v1 gave no list of tests";
    return std::nullopt;
  }
  std::string shared = context.extra + "\n";
  for (const std::string& file : context.files) shared += file + " " + Fingerprint(file, context.contents) + "\n";
  const std::uint64_t shared_hash = Fnv1a(shared);

  std::map<std::string, std::string> fingerprints;  // one look at each file per run
  std::map<std::string, std::vector<std::string>> used_libraries;
  const auto fingerprint_of = [&](const std::string& path) -> const std::string& {
    auto [it, fresh] = fingerprints.try_emplace(path);
    if (fresh) {
      it->second = Fingerprint(path, context.contents);
      // An executable's code is also in the libraries it loads: asked of the loader once
      // per build of the executable.
      if (IsElf(path)) {
        const std::string id = path + " " + it->second;
        std::vector<std::string> libraries;
        if (context.libraries != nullptr && context.libraries->count(id)) {
          libraries = context.libraries->at(id);
        } else {
          libraries = SharedLibraries(path);
        }
        for (const std::string& library : libraries) {
          it->second += "\n  " + library + " " + Fingerprint(library, context.contents);
        }
        used_libraries[id] = std::move(libraries);
      }
    }
    return it->second;
  };

  std::map<std::string, CacheEntry> tests;
  for (const json& test : document["tests"]) {
    if (!test.is_object() || !test.contains("name") || !test["name"].is_string()) continue;
    const std::string name = test["name"];
    CacheEntry entry;
    entry.always_run = name.rfind("canary.", 0) == 0;
    std::string key = name + "\n";
    if (test.contains("command") && test["command"].is_array()) {
      for (const json& arg : test["command"]) {
        if (!arg.is_string()) continue;
        const std::string text = arg;
        key += "arg " + text + "\n";
        std::error_code ignored;
        if (!text.empty() && text[0] == '/' && fs::is_regular_file(text, ignored)) {
          key += "  " + fingerprint_of(text) + "\n";
        }
      }
    }
    if (test.contains("properties")) {
      for (const json& property : test["properties"]) {
        const std::string property_name = property.value("name", "");
        if (property_name == "LABELS" && property.contains("value")) {
          for (const json& label : property["value"]) {
            entry.always_run = entry.always_run || label == "canary" || label == "memsafe-no-cache";
          }
        }
        key += "property " + property.dump() + "\n";
        // Files the test declares it reads (CTest's REQUIRED_FILES, or memsafe_add_test's
        // DATA as MEMSAFE_TEST_DATA=a:b); a directory stands for every file below it.
        std::vector<std::string> declared;
        if (property.contains("value") && property["value"].is_array()) {
          for (const json& value : property["value"]) {
            if (!value.is_string()) continue;
            const std::string text = value;
            if (property_name == "REQUIRED_FILES") declared.push_back(text);
            if (property_name == "ENVIRONMENT" && text.starts_with("MEMSAFE_TEST_DATA=")) {
              std::string_view paths = std::string_view(text).substr(18);
              while (!paths.empty()) {
                const size_t colon = paths.find(':');
                if (colon != 0) declared.emplace_back(paths.substr(0, colon));
                if (colon == std::string_view::npos) break;
                paths.remove_prefix(colon + 1);
              }
            }
          }
        }
        for (const std::string& path : declared) {
          std::error_code ignored;
          if (!fs::is_directory(path, ignored)) {
            key += "  " + path + " " + fingerprint_of(path) + "\n";
            continue;
          }
          std::vector<std::string> below;
          for (fs::recursive_directory_iterator it(path, ignored), end; !ignored && it != end; it.increment(ignored)) {
            if (it->is_regular_file(ignored)) below.push_back(it->path().string());
          }
          std::sort(below.begin(), below.end());
          for (const std::string& each : below) key += "  " + each + " " + fingerprint_of(each) + "\n";
        }
      }
    }
    entry.key = Hex64(Fnv1a(key, shared_hash));
    tests[name] = entry;
  }
  if (context.libraries != nullptr) *context.libraries = std::move(used_libraries);  // drops stale builds
  return tests;
}

ResultCache ResultCache::Load(const std::string& path) {
  ResultCache cache;
  std::string content;
  if (!ReadWholeFile(path, &content)) return cache;
  const json document = json::parse(content, nullptr, false);
  if (!document.is_object() || document.value("version", 0) != 1 || !document.contains("passed") ||
      !document["passed"].is_object()) {
    return cache;
  }
  // Two objects in the file, "passed" and "skipped", so a reader sees each list; a test
  // in both (a hand-edited file) counts as passed.
  for (const auto& [field, outcome] : {std::pair{"passed", TestOutcome::kPassed}, {"skipped", TestOutcome::kSkipped}}) {
    if (!document.contains(field) || !document[field].is_object()) continue;
    for (const auto& [test, key] : document[field].items()) {
      if (key.is_string()) cache.results_.try_emplace(test, Result{key, outcome});
    }
  }
  if (document.contains("contents") && document["contents"].is_object()) {
    for (const auto& [file, pair] : document["contents"].items()) {
      if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
        cache.contents_[file] = {pair[0], pair[1]};
      }
    }
  }
  if (document.contains("libraries") && document["libraries"].is_object()) {
    for (const auto& [executable, list] : document["libraries"].items()) {
      if (!list.is_array()) continue;
      std::vector<std::string>& libraries = cache.libraries_[executable];
      for (const json& library : list) {
        if (library.is_string()) libraries.push_back(library);
      }
    }
  }
  return cache;
}

bool ResultCache::Save(const std::string& path) const {
  json contents = json::object();
  for (const auto& [file, stamp_and_hash] : contents_) contents[file] = {stamp_and_hash.first, stamp_and_hash.second};
  json passed = json::object(), skipped = json::object();
  for (const auto& [test, result] : results_)
    (result.outcome == TestOutcome::kPassed ? passed : skipped)[test] = result.key;
  json document = {
      {"version", 1}, {"passed", passed}, {"skipped", skipped}, {"libraries", libraries_}, {"contents", contents}};
  // Written beside and renamed: a run stopped half-way leaves the old cache or the new.
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << document.dump(1) << "\n";
    if (!out.flush()) return false;
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  return !error;
}

std::optional<TestOutcome> ResultCache::Remembered(const std::string& test, const std::string& key) const {
  const auto it = results_.find(test);
  if (it == results_.end() || it->second.key != key) return std::nullopt;
  return it->second.outcome;
}

void ResultCache::Record(const std::string& test, const std::string& key, TestOutcome outcome) {
  if (outcome == TestOutcome::kPassed || outcome == TestOutcome::kSkipped) {
    results_.insert_or_assign(test, Result{key, outcome});
  } else {
    results_.erase(test);
  }
}

}  // namespace memsafe::tools
