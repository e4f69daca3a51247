#include "check/result_cache.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "check/result_cache_internal.h"
#include "common/process.h"
#include "common/text.h"

extern char** environ;

namespace memsafe::tools {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Files up to this size are read and hashed every time; larger ones (executables,
// libraries) only when their size, modification time or inode changed.
constexpr long long kContentBytes = 1 << 20;

// Size, modification time, inode and status-change time: what changes when a file is
// rewritten or replaced. The ctime cannot be set back by a user (touch -r, utimensat set
// only the modification time), so a file rewritten in place at the same size and then
// given its old modification time still gets a new stamp.
std::string StampOf(const struct stat& info) {
  return std::to_string(info.st_size) + " " + std::to_string(info.st_mtim.tv_sec) + "." +
         std::to_string(info.st_mtim.tv_nsec) + " " + std::to_string(info.st_ino) + " " +
         std::to_string(info.st_ctim.tv_sec) + "." + std::to_string(info.st_ctim.tv_nsec);
}

}  // namespace

bool IsElf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::string_view(magic, 4) == kElfMagic;
}

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
  const std::string stamp = StampOf(info);
  if (info.st_size <= kContentBytes) {
    // Hashed whole in every run, but once a process: the same libraries are named by
    // every test (a rewrite changes the status-change time, so the stamp tells).
    static std::mutex mutex;
    static std::map<std::string, std::pair<std::string, std::string>> hashed;  // path -> stamp, hash
    const std::lock_guard<std::mutex> lock(mutex);
    if (const auto it = hashed.find(path); it != hashed.end() && it->second.first == stamp) {
      return "content " + it->second.second;
    }
    std::string content;
    if (ReadWholeFile(path, &content)) {
      const std::string hash = Hex64(Fnv1a(content));
      hashed[path] = {stamp, hash};
      return "content " + hash;
    }
  }
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
    // The shell's own bookkeeping (last argument, previous directory, nesting depth) and
    // the terminal session's identity: different in every shell, script, SSH login or
    // tmux pane that starts memsafe check, and read by no test of a build.
    if (name == "_" || name == "OLDPWD" || name == "SHLVL" || name == "SSH_CLIENT" || name == "SSH_CONNECTION" ||
        name == "SSH_TTY" || name == "TMUX" || name == "TMUX_PANE" || name == "STY" || name == "WINDOW" ||
        name == "TERM_SESSION_ID" || name == "XDG_SESSION_ID") {
      continue;
    }
    lines.emplace_back(text);
  }
  std::sort(lines.begin(), lines.end());
  std::string joined;
  for (const std::string& line : lines) joined += line + "\n";
  return joined;
}

std::map<std::string, LauncherRun> LauncherVerdicts(const std::string& log_dir) {
  std::map<std::string, LauncherRun> runs;
  std::error_code error;
  for (fs::directory_iterator it(log_dir, error), end; !error && it != end; it.increment(error)) {
    const std::string path = it->path().string();
    if (!path.ends_with(".argv")) continue;
    std::string command, word;
    if (!ReadWholeFile(path, &command)) continue;
    if (!command.empty() && command.back() == '\0') command.pop_back();
    const std::string prefix = path.substr(0, path.size() - 5);
    (void)ReadWholeFile(prefix + ".verdict", &word);  // none: killed before its verdict; never clean
    while (!word.empty() && (word.back() == '\n' || word.back() == ' ')) word.pop_back();
    const auto [at, fresh] = runs.try_emplace(command, LauncherRun{word, prefix});
    if (!fresh && at->second.verdict != word) at->second.verdict = "failed";
  }
  return runs;
}

std::vector<std::string> DuplicateTestNames(std::string_view show_only_json) {
  const json document = json::parse(show_only_json, nullptr, false);
  std::map<std::string, int> seen;
  if (document.is_object() && document.contains("tests") && document["tests"].is_array()) {
    for (const json& test : document["tests"]) {
      if (test.is_object() && test.contains("name") && test["name"].is_string()) ++seen[test["name"]];
    }
  }
  std::vector<std::string> twice;
  for (const auto& [name, count] : seen) {
    if (count > 1) twice.push_back(name);
  }
  return twice;
}

std::vector<std::string> ProgramsUnder(const std::string& dir) {
  std::vector<std::string> found;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, error), end;
       !error && it != end; it.increment(error)) {
    std::error_code ignored;
    if (!it->is_regular_file(ignored)) continue;
    const std::string name = it->path().filename().string();
    const size_t so = name.find(".so");
    const bool shared_object = so != std::string::npos && (so + 3 == name.size() || name[so + 3] == '.');
    const bool executable = (it->status(ignored).permissions() & fs::perms::owner_exec) != fs::perms::none;
    if ((shared_object || executable) && IsElf(it->path().string())) found.push_back(it->path().string());
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
  json document = json::parse(content, nullptr, false);
  // A field of the wrong type (a hand-edited file) makes value() throw: unreadable too.
  try {
    if (document.is_object() && document.value("version", 0) != 2) document = json();
  } catch (const json::exception&) {
    document = json();
  }
  if (!document.is_object() || !document.contains("results") || !document["results"].is_object()) {
    if (unreadable != nullptr) *unreadable = "not a result cache of this memsafe version";
    return cache;
  }
  for (const auto& [test, result] : document["results"].items()) {
    if (!result.is_object() || !result.contains("key") || !result["key"].is_string()) continue;
    if (!result.contains("outcome") || !result["outcome"].is_string() || !result.contains("clean_runs") ||
        !result["clean_runs"].is_number_integer() || !result.contains("finding_seen") ||
        !result["finding_seen"].is_boolean()) {
      continue;  // an entry that is not whole is no proof: the test runs
    }
    const std::string outcome = result["outcome"];
    if (outcome != "passed" && outcome != "skipped") continue;
    if (!result.contains("loaded") || !result["loaded"].is_array() || !result.contains("loaded_print") ||
        !result["loaded_print"].is_string()) {
      continue;
    }
    std::vector<std::string> loaded;
    for (const json& file : result["loaded"]) {
      if (file.is_string()) loaded.push_back(file);
    }
    if (loaded.size() != result["loaded"].size()) continue;
    const int runs = result["clean_runs"];
    cache.results_.try_emplace(
        test,
        Result{result["key"], outcome == "passed" ? TestOutcome::kPassed : TestOutcome::kSkipped, runs < 0 ? 0 : runs,
               result["finding_seen"].get<bool>(), std::move(loaded), result["loaded_print"]});
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
                     {"finding_seen", result.finding_seen},
                     {"loaded", result.loaded},
                     {"loaded_print", result.loaded_print}};
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

std::string ResultCache::PrintOf(const std::vector<std::string>& files, std::string* missing) {
  std::uint64_t hash = Fnv1a("loaded");
  for (const std::string& file : files) {
    auto [at, fresh] = fingerprints_.try_emplace(file);
    if (fresh) at->second = Fingerprint(file, &contents_);
    if (at->second == "missing" || at->second == "not a file") {
      if (missing != nullptr) *missing = file;
      return "";
    }
    hash = Fnv1a(file + " " + at->second + "\n", hash);
  }
  return Hex64(hash);
}

const std::string& ResultCache::UncountedWhy(const std::string& test) const {
  static const std::string kNone;
  const auto it = uncounted_.find(test);
  return it == uncounted_.end() ? kNone : it->second;
}

std::optional<TestOutcome> ResultCache::Remembered(const std::string& test, const std::string& key,
                                                   int clean_runs_needed) {
  const auto it = results_.find(test);
  if (it == results_.end() || it->second.key != key) return std::nullopt;
  const int needed = it->second.finding_seen ? std::max(clean_runs_needed, kCleanRunsAfterAFinding) : clean_runs_needed;
  if (it->second.clean_runs < needed) return std::nullopt;
  // A plugin, a library LD_LIBRARY_PATH found, a helper program: changed since, or gone.
  const std::string print = PrintOf(it->second.loaded);
  if (print.empty() || print != it->second.loaded_print) return std::nullopt;
  return it->second.outcome;
}

void ResultCache::Record(const std::string& test, const std::string& key, TestOutcome outcome, std::string_view verdict,
                         const LoadedObjects* loaded) {
  uncounted_.erase(test);
  const auto it = results_.find(test);
  std::vector<std::string> files = loaded != nullptr ? loaded->objects : std::vector<std::string>{};
  std::string missing;
  std::string print = PrintOf(files, &missing);
  // The same key and the same files, as they are now: the runs in a row count on.
  const bool same_key = it != results_.end() && it->second.key == key;
  const bool same_files = same_key && it->second.loaded == files && it->second.loaded_print == print;
  const bool finding_seen = same_key && it->second.finding_seen;
  const bool clean = (outcome == TestOutcome::kPassed && verdict == "clean") ||
                     (outcome == TestOutcome::kSkipped && verdict == "skipped");
  if (clean && print.empty()) {
    uncounted_[test] = missing + " was gone when the run was recorded";
  } else if (clean && loaded != nullptr && !loaded->complete) {
    uncounted_[test] = loaded->why;
  } else if (clean && it != results_.end() && it->second.loaded != files) {
    // Another set of files than last time (a temporary file of its own): counted, but
    // the runs in a row start again, and a test that never loads the same set twice is
    // never left out. Said, so it is not a mystery.
    uncounted_[test] = "it loaded other files than in its last run";
  }
  if (clean && !print.empty() && (loaded == nullptr || loaded->complete)) {
    const int before = same_files && it->second.outcome == outcome ? it->second.clean_runs : 0;
    results_.insert_or_assign(test, Result{key, outcome, before + 1, finding_seen, std::move(files), std::move(print)});
    return;
  }
  if (verdict == "finding" || finding_seen) {
    // A finding, or any unclean run after one under this key: the finding stays
    // remembered, so a timeout between it and two clean runs does not reset the count.
    // Kept with no clean run: under this key the test must pass kCleanRunsAfterAFinding
    // times in a row before it is left out (the bug may show only now and then).
    results_.insert_or_assign(test, Result{key, TestOutcome::kPassed, 0, true, std::move(files), std::move(print)});
    return;
  }
  // A failure, or a clean run whose record of what it loaded is incomplete: no proof.
  results_.erase(test);
}

}  // namespace memsafe::tools
