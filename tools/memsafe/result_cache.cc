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

// Size, modification time, inode and status-change time: what changes when a file is
// rewritten or replaced. The ctime cannot be set back by a user (touch -r, utimensat set
// only the modification time), so a file rewritten in place at the same size and then
// given its old modification time still gets a new stamp.
std::string StampOf(const struct stat& info) {
  return std::to_string(info.st_size) + " " + std::to_string(info.st_mtim.tv_sec) + "." +
         std::to_string(info.st_mtim.tv_nsec) + " " + std::to_string(info.st_ino) + " " +
         std::to_string(info.st_ctim.tv_sec) + "." + std::to_string(info.st_ctim.tv_nsec);
}

// A regular file that starts with "#!": a script, whose interpreter runs programs the
// listing does not name.
bool IsScript(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[2] = {};
  return in.read(magic, 2) && magic[0] == '#' && magic[1] == '!';
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

std::string RunEnvironment() {
  std::vector<std::string> lines;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    const std::string_view name = text.substr(0, text.find('='));
    // The shell's own bookkeeping, different in every shell that starts memsafe check
    // and read by no test program: the last command's argument, the previous directory.
    if (name == "_" || name == "OLDPWD") continue;
    lines.emplace_back(text);
  }
  std::sort(lines.begin(), lines.end());
  std::string joined;
  for (const std::string& line : lines) joined += line + "\n";
  return joined;
}

std::map<std::string, std::string> LauncherVerdicts(const std::string& log_dir) {
  std::map<std::string, std::string> verdicts;
  std::error_code error;
  for (fs::directory_iterator it(log_dir, error), end; !error && it != end; it.increment(error)) {
    const std::string path = it->path().string();
    if (!path.ends_with(".argv")) continue;
    std::string command, word;
    if (!ReadWholeFile(path, &command)) continue;
    if (!command.empty() && command.back() == '\0') command.pop_back();
    const std::string verdict_path = path.substr(0, path.size() - 5) + ".verdict";
    (void)ReadWholeFile(verdict_path, &word);  // none: killed before its verdict; never clean
    while (!word.empty() && (word.back() == '\n' || word.back() == ' ')) word.pop_back();
    const auto [at, fresh] = verdicts.try_emplace(command, word);
    if (!fresh && at->second != word) at->second = "failed";
  }
  return verdicts;
}

std::vector<std::string> SharedObjectsUnder(const std::string& dir) {
  std::vector<std::string> found;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, error), end;
       !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    const size_t so = name.find(".so");
    if (so == std::string::npos || !(so + 3 == name.size() || name[so + 3] == '.')) continue;
    std::error_code ignored;
    if (it->is_regular_file(ignored) && IsElf(it->path().string())) found.push_back(it->path().string());
  }
  std::sort(found.begin(), found.end());
  return found;
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
        // The loader's search path decides which libraries these are.
        const char* library_path = std::getenv("LD_LIBRARY_PATH");
        const char* preload = std::getenv("LD_PRELOAD");
        const std::string id =
            path + " " + it->second + " " + (library_path ? library_path : "") + " " + (preload ? preload : "");
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
    // Relative paths on the command line are the test's working directory's.
    std::string working_directory;
    for (const json& property : test.value("properties", json::array())) {
      if (property.value("name", "") == "WORKING_DIRECTORY" && property.contains("value") &&
          property["value"].is_string()) {
        working_directory = property["value"];
      }
    }
    if (test.contains("command") && test["command"].is_array()) {
      std::size_t index = 0;
      for (const json& arg : test["command"]) {
        const std::size_t at = index++;
        if (!arg.is_string()) continue;
        const std::string text = arg;
        key += "arg " + text + "\n";
        if (at > 0) entry.command += std::string(entry.command.empty() ? "" : std::string(1, '\0')) + text;
        // The file an argument names: the whole argument, or the value of --opt=path.
        std::vector<std::string> candidates = {text};
        if (const size_t equals = text.find('='); equals != std::string::npos && text.starts_with("-")) {
          candidates.push_back(text.substr(equals + 1));
        }
        for (std::string path : candidates) {
          if (path.empty()) continue;
          if (path[0] != '/') {
            if (working_directory.empty()) continue;
            path = working_directory + "/" + path;
          }
          std::error_code ignored;
          if (!fs::is_regular_file(path, ignored)) continue;
          key += "  " + path + " " + fingerprint_of(path) + "\n";
          // A script runs programs no listing names: its results cannot be proven
          // unchanged (memsafe's own launcher, the first argument, is a script it knows).
          const bool launcher = at == 1 && path.ends_with("memsafe-run.sh");
          if (at > 0 && !launcher && !IsElf(path) && IsScript(path) && entry.uncached_why.empty()) {
            entry.uncached_why = "runs the script " + path + ", whose programs no key can name";
          }
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
    if (!entry.uncached_why.empty()) entry.always_run = true;
    entry.key = Hex64(Fnv1a(key, shared_hash));
    tests[name] = entry;
  }
  if (context.libraries != nullptr) *context.libraries = std::move(used_libraries);  // drops stale builds
  return tests;
}

ResultCache ResultCache::Load(const std::string& path, std::string* unreadable) {
  ResultCache cache;
  std::string content;
  std::error_code missing;
  if (!fs::exists(path, missing)) return cache;  // a first run: nothing to say
  std::string why;
  if (!ReadWholeFile(path, &content, &why)) {
    if (unreadable != nullptr) *unreadable = why;
    return cache;
  }
  const json document = json::parse(content, nullptr, false);
  if (!document.is_object() || document.value("version", 0) != 2 || !document.contains("results") ||
      !document["results"].is_object()) {
    if (unreadable != nullptr) *unreadable = "not a result cache of this memsafe version";
    return cache;
  }
  for (const auto& [test, result] : document["results"].items()) {
    if (!result.is_object() || !result.contains("key") || !result["key"].is_string()) continue;
    const std::string outcome = result.value("outcome", "");
    if (outcome != "passed" && outcome != "skipped") continue;
    const int runs = result.value("clean_runs", 0);
    cache.results_.try_emplace(test,
                               Result{result["key"], outcome == "passed" ? TestOutcome::kPassed : TestOutcome::kSkipped,
                                      runs < 0 ? 0 : runs, result.value("finding_seen", false)});
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
  json results = json::object();
  for (const auto& [test, result] : results_) {
    results[test] = {{"key", result.key},
                     {"outcome", result.outcome == TestOutcome::kPassed ? "passed" : "skipped"},
                     {"clean_runs", result.clean_runs},
                     {"finding_seen", result.finding_seen}};
  }
  json document = {{"version", 2}, {"results", results}, {"libraries", libraries_}, {"contents", contents}};
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

std::optional<TestOutcome> ResultCache::Remembered(const std::string& test, const std::string& key,
                                                   int clean_runs_needed) const {
  const auto it = results_.find(test);
  if (it == results_.end() || it->second.key != key) return std::nullopt;
  const int needed = it->second.finding_seen ? std::max(clean_runs_needed, kCleanRunsAfterAFinding) : clean_runs_needed;
  if (it->second.clean_runs < needed) return std::nullopt;
  return it->second.outcome;
}

void ResultCache::Record(const std::string& test, const std::string& key, TestOutcome outcome,
                         std::string_view verdict) {
  const auto it = results_.find(test);
  const bool same_key = it != results_.end() && it->second.key == key;
  const bool finding_seen = same_key && it->second.finding_seen;
  const bool clean = (outcome == TestOutcome::kPassed && verdict == "clean") ||
                     (outcome == TestOutcome::kSkipped && verdict == "skipped");
  if (clean) {
    const int before = same_key && it->second.outcome == outcome ? it->second.clean_runs : 0;
    results_.insert_or_assign(test, Result{key, outcome, before + 1, finding_seen});
    return;
  }
  if (verdict == "finding") {
    // Kept with no clean run: under this key the test must pass kCleanRunsAfterAFinding
    // times in a row before it is left out (the bug may show only now and then).
    results_.insert_or_assign(test, Result{key, TestOutcome::kPassed, 0, true});
    return;
  }
  results_.erase(test);
}

}  // namespace memsafe::tools
