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

bool IsElf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::string_view(magic, 4) ==
                                  "\x7f"
                                  "ELF";
}

// LD_LIBRARY_PATH and LD_PRELOAD as a test gets them: its ENVIRONMENT property's, or
// the run's.
struct LoaderPath {
  std::string library_path, preload;
};

// What a test's listing entry says, read once: its command, working directory, the
// loader's path, the values of its environment, the files it declares.
struct TestFacts {
  std::vector<std::string> command;
  std::string working_directory;
  LoaderPath loader;
  std::vector<std::string> environment_values;  // the value of each NAME=value
  std::vector<std::string> declared;            // REQUIRED_FILES, MEMSAFE_TEST_DATA
  bool uncached_label = false;                  // canary or memsafe-no-cache
  // It declares what it reads and runs (MEMSAFE_TEST_DATA, memsafe_add_test's DATA): a
  // script or an interpreter is trusted to read and run only that, and a directory on
  // its command line is taken for output (a build directory), not read file by file.
  bool declares_inputs = false;
  bool loader_modified = false;  // ENVIRONMENT_MODIFICATION of LD_LIBRARY_PATH or LD_PRELOAD
};

// A directory a test names or declares is read whole up to this many files.
constexpr std::size_t kMaxFilesBelow = 20000;

TestFacts FactsOf(const json& test) {
  TestFacts facts;
  const char* library_path = std::getenv("LD_LIBRARY_PATH");
  const char* preload = std::getenv("LD_PRELOAD");
  facts.loader = {library_path != nullptr ? library_path : "", preload != nullptr ? preload : ""};
  if (test.contains("command") && test["command"].is_array()) {
    for (const json& arg : test["command"]) {
      if (arg.is_string()) facts.command.push_back(arg);
    }
  }
  for (const json& property : test.value("properties", json::array())) {
    const std::string name = property.value("name", "");
    const json value = property.value("value", json());
    if (name == "WORKING_DIRECTORY" && value.is_string()) facts.working_directory = value;
    if (!value.is_array()) continue;
    for (const json& item : value) {
      if (!item.is_string()) continue;
      const std::string text = item;
      if (name == "LABELS")
        facts.uncached_label = facts.uncached_label || text == "canary" || text == "memsafe-no-cache";
      if (name == "REQUIRED_FILES") facts.declared.push_back(text);
      // VAR=op:value: a change to the loader's path cannot be followed here (the op
      // composes it with the run's), so such a test always runs; other values may name files.
      if (name == "ENVIRONMENT_MODIFICATION") {
        const std::string variable = text.substr(0, text.find('='));
        if (variable == "LD_LIBRARY_PATH" || variable == "LD_PRELOAD") facts.loader_modified = true;
        const size_t colon = text.find(':');
        if (colon != std::string::npos) facts.environment_values.push_back(text.substr(colon + 1));
        continue;
      }
      if (name != "ENVIRONMENT") continue;
      const size_t equals = text.find('=');
      const std::string variable = text.substr(0, equals);
      const std::string assigned = equals == std::string::npos ? "" : text.substr(equals + 1);
      if (variable == "LD_LIBRARY_PATH") facts.loader.library_path = assigned;
      if (variable == "LD_PRELOAD") facts.loader.preload = assigned;
      if (variable == "MEMSAFE_TEST_DATA") {
        facts.declares_inputs = !assigned.empty();
        std::string_view paths = assigned;
        while (!paths.empty()) {
          const size_t colon = paths.find(':');
          if (colon != 0) facts.declared.emplace_back(paths.substr(0, colon));
          if (colon == std::string_view::npos) break;
          paths.remove_prefix(colon + 1);
        }
      } else {
        facts.environment_values.push_back(assigned);
      }
    }
  }
  return facts;
}

// The shared libraries an executable loads, as the dynamic loader resolves them under
// the test's loader path.
std::vector<std::string> SharedLibraries(const std::string& executable, const LoaderPath& loader) {
  ProcessOptions options;
  options.capture_stdout = true;
  options.environment["LD_LIBRARY_PATH"] = loader.library_path;
  options.environment["LD_PRELOAD"] = loader.preload;
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

namespace {

// Files below a directory a test names or declares, sorted; at most `limit` of them
// (a test that names "/" or a huge tree is not cacheable: `*complete` says so).
std::vector<std::string> FilesUnder(const std::string& dir, std::size_t limit, bool* complete) {
  std::vector<std::string> below;
  std::error_code ignored;
  *complete = true;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ignored), end;
       !ignored && it != end; it.increment(ignored)) {
    if (!it->is_regular_file(ignored)) continue;
    if (below.size() == limit) {
      *complete = false;
      break;
    }
    below.push_back(it->path().string());
  }
  if (ignored) *complete = false;
  std::sort(below.begin(), below.end());
  return below;
}

// The paths a word of a command line or an environment value may name: the word, what
// follows '=' ("--input=/p", "input=/p"), what follows a short option ("-i/p"), and, in
// an environment value (`lists`), each part of a ':'-separated list; relative ones
// against the working directory. (On a command line "--gtest_output=xml:/d/t.xml" names
// the test's output, not a list.)
std::vector<std::string> PathsNamedBy(const std::string& text, const std::string& working_directory, bool lists) {
  std::vector<std::string> candidates;
  const auto add = [&](std::string_view word) {
    for (size_t start = 0; start <= word.size();) {
      const size_t colon = lists ? std::min(word.find(':', start), word.size()) : word.size();
      std::string path(word.substr(start, colon - start));
      start = colon + 1;
      if (path.empty()) continue;
      if (path[0] != '/') {
        if (working_directory.empty()) continue;
        path = working_directory + "/" + path;
      }
      candidates.push_back(std::move(path));
    }
  };
  add(text);
  if (const size_t equals = text.find('='); equals != std::string::npos) add(std::string_view(text).substr(equals + 1));
  if (text.size() > 2 && text[0] == '-' && text[1] != '-' && text[2] == '/') add(std::string_view(text).substr(2));
  return candidates;
}

// A program that runs the next program of its command line (timeout 60 prog): what it
// runs is judged as the test's program.
bool IsWrapper(const std::string& word) {
  const std::string name = word.substr(word.find_last_of('/') + 1);
  for (const char* wrapper : {"env", "timeout", "nice", "ionice", "stdbuf", "taskset", "xvfb-run", "setarch", "numactl",
                              "chrt", "time", "unshare", "flock"}) {
    if (name == wrapper) return true;
  }
  return false;
}

// An interpreter on a command line (sh -c "...", python3 drive.py, cmake -P): the
// programs and files it runs are in its arguments' text, not named as files.
bool IsInterpreter(const std::string& word) {
  std::string name = word.substr(word.find_last_of('/') + 1);
  while (!name.empty() && (std::isdigit(static_cast<unsigned char>(name.back())) || name.back() == '.')) {
    name.pop_back();
  }
  for (const char* interpreter :
       {"sh",   "bash",   "dash", "zsh",   "ksh", "csh",   "tcsh",  "fish",  "python", "perl",  "ruby",
        "node", "nodejs", "lua",  "tclsh", "php", "cmake", "ctest", "xargs", "make",   "ninja", "java"}) {
    if (name == interpreter) return true;
  }
  return false;
}

// What ListTests asks of the file system and the dynamic loader once a run, however
// many tests name the same file: the tests of a preset share executables, libraries,
// data directories and the launcher's words.
class RunLookups {
 public:
  explicit RunLookups(const CacheContext& context) : context_(context) {}

  // The fingerprint of a file as a test gets it; an executable's includes the libraries
  // it loads. `loader`: LD_LIBRARY_PATH and LD_PRELOAD as the test gets them, which
  // decide the libraries an executable loads.
  const std::string& FingerprintOf(const std::string& path, const LoaderPath& loader) {
    auto [it, fresh] = fingerprints_.try_emplace(path + "\n" + loader.library_path + "\n" + loader.preload);
    if (fresh) {
      it->second = Fingerprint(path, context_.contents);
      // An executable's code is also in the libraries it loads: asked of the loader once
      // per build of the executable and loader path.
      if (IsElf(path)) {
        const std::string id = path + " " + it->second + " " + loader.library_path + " " + loader.preload;
        std::vector<std::string> libraries;
        if (context_.libraries != nullptr && context_.libraries->count(id)) {
          libraries = context_.libraries->at(id);
        } else {
          libraries = SharedLibraries(path, loader);
        }
        for (const std::string& library : libraries) {
          it->second += "\n  " + library + " " + Fingerprint(library, context_.contents);
        }
        used_libraries_[id] = std::move(libraries);
      }
    }
    return it->second;
  }

  // What kind of file a path is: every test of a preset repeats the launcher's words,
  // each resolved against its working directory.
  fs::file_type TypeOf(const std::string& path) {
    auto [at, fresh] = types_.try_emplace(path);
    if (fresh) {
      std::error_code status_error;
      at->second = fs::status(path, status_error).type();
    }
    return at->second;
  }

  // The files below a directory and whether that is all of them: many tests of one
  // executable declare the same directories.
  const std::pair<std::vector<std::string>, bool>& FilesBelow(const std::string& dir) {
    auto [listed_dir, fresh] = directories_listed_.try_emplace(dir);
    if (fresh) listed_dir->second.first = FilesUnder(dir, kMaxFilesBelow, &listed_dir->second.second);
    return listed_dir->second;
  }

  // The libraries each executable of this run loaded, by executable, fingerprint and
  // loader path: what the next run may reuse instead of asking the loader.
  std::map<std::string, std::vector<std::string>>& used_libraries() { return used_libraries_; }

 private:
  const CacheContext& context_;
  std::map<std::string, std::string> fingerprints_;  // one look at each file (and loader path) per run
  std::map<std::string, std::vector<std::string>> used_libraries_;
  std::map<std::string, std::pair<std::vector<std::string>, bool>> directories_listed_;  // files, complete
  std::map<std::string, fs::file_type> types_;
};

// The test's properties are part of its key; some also decide what its outcome means
// (a pass that is expected to fail, a skip by its output), which the cache must know.
void AddProperties(const json& test, CacheEntry* entry, std::string* key) {
  for (const json& property : test.value("properties", json::array())) {
    *key += "property " + property.dump() + "\n";
    const std::string property_name = property.value("name", "");
    if (property_name == "PASS_REGULAR_EXPRESSION" || property_name == "FAIL_REGULAR_EXPRESSION" ||
        property_name == "SKIP_REGULAR_EXPRESSION" || property_name == "SKIP_RETURN_CODE" ||
        (property_name == "WILL_FAIL" && property.value("value", json(false)) != json(false))) {
      entry->outcome_altered = true;
    }
  }
}

// Where the test's own command starts: after memsafe's launcher and its options,
// whose directories (the log directory, the source root) are not the test's inputs.
std::size_t OwnCommandStart(const std::vector<std::string>& command) {
  std::size_t own_start = 0;
  if (command.size() > 1 && command[1].ends_with("memsafe-run.sh")) {
    own_start = 2;
    while (own_start < command.size()) {
      const std::string& word = command[own_start];
      if (word == "--") {
        ++own_start;
        break;
      }
      if (word == "--quick-unsymbolized") {
        ++own_start;
      } else if (word.starts_with("--")) {
        own_start += 2;  // --memsafe PATH, --log-dir DIR, --name TEST, ...
      } else {
        break;
      }
    }
  }
  return own_start;
}

// A wrapper (timeout 60, env VAR=1) passes the program position on to what it runs.
std::size_t ProgramPosition(const std::vector<std::string>& command, std::size_t own_start) {
  std::size_t program_at = own_start;
  while (program_at < command.size() && IsWrapper(command[program_at])) {
    ++program_at;
    while (program_at < command.size() &&
           (command[program_at].starts_with("-") || command[program_at].find('=') != std::string::npos ||
            std::isdigit(static_cast<unsigned char>(command[program_at].front())))) {
      ++program_at;  // its options, VAR=value, a duration
    }
  }
  return program_at;
}

// Adds a file a test names or declares, with its fingerprint, to the test's key; a
// directory stands for every file below it.
// `named`: a word that may be a path; `directories`: a directory counts, file by file
// (not for environment values, where directories are search paths such as PATH).
void AddFile(RunLookups* lookups, const LoaderPath& loader, const std::string& path, bool named, bool directories,
             CacheEntry* entry, std::string* key) {
  if (lookups->TypeOf(path) == fs::file_type::directory) {
    if (!directories) return;
    if (named) {
      // A directory on the command line may be input or output (a build or report
      // directory): not read file by file, and the test is not cached.
      if (entry->uncached_why.empty()) {
        entry->uncached_why = "names the directory " + path + " (declare what it reads with DATA)";
      }
      return;
    }
    const auto& [files, complete] = lookups->FilesBelow(path);
    for (const std::string& each : files) {
      *key += "  " + each + " " + lookups->FingerprintOf(each, loader) + "\n";
    }
    if (!complete && entry->uncached_why.empty()) {
      entry->uncached_why = "names the directory " + path + ", too large to read or not readable whole";
    }
    return;
  }
  if (named && lookups->TypeOf(path) != fs::file_type::regular) return;  // a word, not a file
  *key += "  " + path + " " + lookups->FingerprintOf(path, loader) + "\n";
}

// Adds each word of the test's command line to its key, and the files the words name;
// finds the programs whose inputs no key can name (interpreters, scripts).
void AddCommandLine(RunLookups* lookups, const TestFacts& facts, CacheEntry* entry, std::string* key) {
  const std::size_t own_start = OwnCommandStart(facts.command);
  const std::size_t program_at = ProgramPosition(facts.command, own_start);
  std::size_t index = 0;
  for (const std::string& text : facts.command) {
    const std::size_t at = index++;
    *key += "arg " + text + "\n";
    if (at > 0) entry->command += std::string(entry->command.empty() ? "" : std::string(1, '\0')) + text;
    // memsafe's own launcher (the second word) is a script it knows.
    const bool launcher = at == 1 && text.ends_with("memsafe-run.sh");
    // The program, or a path to one further on (a word such as "env" or "make" further
    // on may be a subcommand of the test's own program).
    const bool program = at == program_at || (at > own_start && text.find('/') != std::string::npos);
    if (program && !facts.declares_inputs && IsInterpreter(text) && entry->uncached_why.empty()) {
      entry->uncached_why = "runs " + text + ", whose programs and files are in its arguments' text";
    }
    for (const std::string& path : PathsNamedBy(text, facts.working_directory, false)) {
      AddFile(lookups, facts.loader, path, true, at >= own_start && !facts.declares_inputs, entry, key);
      // A script runs programs no listing names: its results cannot be proven unchanged.
      if (at >= own_start && !launcher && !facts.declares_inputs && lookups->TypeOf(path) == fs::file_type::regular &&
          !IsElf(path) && IsScript(path) && entry->uncached_why.empty()) {
        entry->uncached_why = "runs the script " + path + ", whose programs no key can name";
      }
    }
  }
}

// One test's cache entry: its key hashes everything its outcome depends on (name,
// properties, command line, the files named there, in its environment or declared, and
// what every test shares), and it always runs when one of those cannot be followed.
CacheEntry EntryForTest(const std::string& name, const json& test, std::uint64_t shared_hash, RunLookups* lookups) {
  CacheEntry entry;
  entry.always_run = name.rfind("canary.", 0) == 0;
  const TestFacts facts = FactsOf(test);
  entry.always_run = entry.always_run || facts.uncached_label;
  std::string key = name + "\n";
  AddProperties(test, &entry, &key);
  entry.launched = facts.command.size() > 1 && facts.command[1].ends_with("memsafe-run.sh");
  if (facts.loader_modified && entry.uncached_why.empty()) {
    entry.uncached_why = "modifies LD_LIBRARY_PATH or LD_PRELOAD (ENVIRONMENT_MODIFICATION)";
  }
  // Files: named on the command line (however), in the environment's values, or
  // declared (REQUIRED_FILES, MEMSAFE_TEST_DATA); a directory stands for every file
  // below it.
  AddCommandLine(lookups, facts, &entry, &key);
  for (const std::string& value : facts.environment_values) {
    for (const std::string& path : PathsNamedBy(value, facts.working_directory, true)) {
      AddFile(lookups, facts.loader, path, true, false, &entry, &key);
    }
  }
  for (const std::string& path : facts.declared) {
    AddFile(lookups, facts.loader,
            path[0] == '/' || facts.working_directory.empty() ? path : facts.working_directory + "/" + path, false,
            true, &entry, &key);
  }
  if (!entry.uncached_why.empty()) entry.always_run = true;
  entry.key = Hex64(Fnv1a(key, shared_hash));
  return entry;
}

}  // namespace

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

  RunLookups lookups(context);
  std::map<std::string, CacheEntry> tests;
  for (const json& test : document["tests"]) {
    if (!test.is_object() || !test.contains("name") || !test["name"].is_string()) continue;
    const std::string name = test["name"];
    tests[name] = EntryForTest(name, test, shared_hash, &lookups);
  }
  if (context.libraries != nullptr) *context.libraries = std::move(lookups.used_libraries());  // drops stale builds
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
