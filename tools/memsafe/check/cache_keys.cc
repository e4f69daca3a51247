// The key of a test's cached result: everything it runs and reads (its command line,
// programs, libraries, scripts, data files, environment), fingerprinted (result_cache.h).
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

#include "check/result_cache_internal.h"

extern char** environ;

namespace memsafe::tools {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

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

// A regular file that starts with "#!": a script, whose interpreter runs programs the
// listing does not name.
bool IsScript(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[2] = {};
  return in.read(magic, 2) && magic[0] == '#' && magic[1] == '!';
}

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

}  // namespace memsafe::tools
