// The result cache of the quick memory-check run: a test that passed under a memory
// tool is not run again while nothing it depends on has changed.
//
// What a test depends on is its key: its name and command line, its CTest properties
// (environment, working directory, required files, ...), every file its command names
// (the test executable, the launcher, the memsafe tool, the generated option files)
// with the shared libraries each executable loads, the project's sanitizers/ files and
// presets, the environment variables that steer the tools, and the tool versions the
// caller adds. Every file counts by content; a large one is read again only when its
// size, modification time or inode changed. A test whose key equals the key it passed with is not run again; any
// difference runs it. Passes and skips are stored (a skip decided by the same executable under the same tool and
// environment is decided the same way again, and counts as skipped again); a failure, timeout or crash removes the
// entry. Canaries are never cached: they prove the tool is on in every run.
//
// Example:
//   ResultCache cache = ResultCache::Load(build_dir + "/memsafe-result-cache.json");
//   std::map<std::string, CacheEntry> tests = ListTests(show_only_json, context, &error);
//   for (auto& [name, entry] : tests) if (cache.Remembered(name, entry.key)) leave_out(name);
//   ... run the others ...
//   cache.Record(name, key, outcome); cache.Save(path);
//
// Thread-safety: values only; Load and Save touch the file system.
// Failure: an unreadable or malformed cache file is an empty cache (everything runs);
// ListTests returns nullopt with a message for output it cannot read.
#ifndef MEMSAFE_TOOLS_RESULT_CACHE_H_
#define MEMSAFE_TOOLS_RESULT_CACHE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/ctest_results.h"
#include "loaded_objects.h"

namespace memsafe::tools {

// What every test of a run depends on besides its own command: the project's sanitizers/
// and preset files, the tool versions. Folded into each test's key.
struct CacheContext {
  std::vector<std::string> files;  // their fingerprints
  std::string extra;               // tool versions, the preset's name and tools, ...
  // The shared libraries of each executable ("path fingerprint" -> library paths),
  // remembered between runs so a warm run need not ask the dynamic loader again; filled
  // in for executables not yet in it. May be null.
  std::map<std::string, std::vector<std::string>>* libraries = nullptr;
  // The content hashes of large files, by path: {size, modification time and inode, hash}.
  // A file whose stamp is unchanged is not read again; a relinked executable is, and if
  // its bytes are the same (a static library changed in parts it does not use) its tests
  // stay cached. May be null.
  std::map<std::string, std::pair<std::string, std::string>>* contents = nullptr;
};

struct CacheEntry {
  std::string key;
  // Always run: a canary (label "canary" or a name starting "canary."), or a test
  // labelled "memsafe-no-cache" because it reads inputs no key can name (a test that
  // builds a whole project from a source tree).
  bool always_run = false;
  // Why the test is never cached although nothing labels it so ("" when it may be).
  std::string uncached_why;
  // Its command line without the first word (the shell that runs the launcher), the
  // words NUL-separated: what the launcher writes to <prefix>.argv.
  std::string command;
  // It runs through memsafe's launcher, which leaves a verdict. A test that does not
  // (a project's own harness test that runs no program under a tool) has only CTest's
  // outcome, which counts only when no property can turn a failure into a pass.
  bool launched = false;
  bool outcome_altered = false;  // WILL_FAIL, PASS/FAIL/SKIP_REGULAR_EXPRESSION, SKIP_RETURN_CODE
};

// The tests of `ctest --show-only=json-v1` output with their keys.
std::optional<std::map<std::string, CacheEntry>> ListTests(std::string_view show_only_json, const CacheContext& context,
                                                           std::string* error);

// A file's fingerprint: a hash of its content ("missing" when it does not exist). Large
// files are hashed again only when their size, modification time or inode changed
// since `contents` (may be null) saw them.
std::string Fingerprint(const std::string& path,
                        std::map<std::string, std::pair<std::string, std::string>>* contents = nullptr);

// A file's identity on disk, "size mtime inode" ("missing" when absent): it changes
// whenever the file is rewritten, relinked or replaced, without reading it.
std::string FileStamp(const std::string& path);

// The programs the tests of `ctest --show-only=json-v1` output run: every absolute path
// on their command lines that is an ELF executable or library, with its FileStamp. Compared before and
// after the tests run, it shows a build tree that changed under them (a build running
// at the same time): their results may come from two builds, and a sanitizer that
// symbolizes a report after its binary was relinked names no function ('??').
std::map<std::string, std::string> ProgramStamps(std::string_view show_only_json);

// The paths whose stamp differs between two ProgramStamps of the same listing.
std::vector<std::string> ChangedPrograms(const std::map<std::string, std::string>& before);

// The environment memsafe check hands every test, as NAME=value lines, sorted: any
// variable may steer a test (HP_MODE=bug, LD_LIBRARY_PATH), so all of them are in every
// key, but for the shell's bookkeeping ("_", OLDPWD).
std::string RunEnvironment();

// One launcher run found in a log directory.
struct LauncherRun {
  std::string verdict;  // the word of <prefix>.verdict, "" when there is none (killed before it)
  std::string prefix;   // <log-dir>/<id>.<tool>: where its other files are
};
// The runs the launcher left in a log directory, by the command that ran: each
// <prefix>.argv (the launcher's arguments, NUL-separated) with its verdict. Commands
// that ran more than once (two tests with one command line) keep the worst: any verdict
// but "clean" or "skipped", or a disagreement, becomes "failed".
std::map<std::string, LauncherRun> LauncherVerdicts(const std::string& log_dir);

// Test names that `ctest --show-only=json-v1` output lists more than once, sorted.
std::vector<std::string> DuplicateTestNames(std::string_view show_only_json);

// The programs of a build tree: every ELF executable and shared object (*.so, *.so.N)
// under it, sorted. A test may start or load any of them without naming it (a helper
// whose path is compiled in, a plugin it dlopen()s).
std::vector<std::string> ProgramsUnder(const std::string& dir);

// A CTest regular expression matching exactly the given test names.
std::string ExactNamesRegex(const std::vector<std::string>& names);

// Clean runs in a row a test needs under one key before the cache leaves it out, by the
// run's tool: one clean run may be luck (a race, a use after free that depends on
// timing or allocation order). TSan's results depend on the schedule more than any.
inline constexpr int kCleanRunsNeeded = 2;
inline constexpr int kCleanRunsNeededThread = 3;
// After a finding under a key, that many clean runs in a row under it.
inline constexpr int kCleanRunsAfterAFinding = 5;

class ResultCache {
 public:
  // A missing file is an empty cache. A file that cannot be read or parsed is an empty
  // cache too (everything runs), and `unreadable` (may be null) says why.
  static ResultCache Load(const std::string& path, std::string* unreadable = nullptr);
  bool Save(const std::string& path) const;

  // The outcome (kPassed or kSkipped) the test had with this key, when it had it in the
  // last `clean_runs_needed` runs under the key in a row (kCleanRunsAfterAFinding when
  // it ever reported a finding under the key); nullopt otherwise.
  // The files the test's processes loaded when it last ran (Record's `loaded`) must
  // still be as they were.
  std::optional<TestOutcome> Remembered(const std::string& test, const std::string& key,
                                        int clean_runs_needed = kCleanRunsNeeded);
  // See CacheContext::libraries; Save keeps only the entries used by the last listing.
  std::map<std::string, std::vector<std::string>>& libraries() { return libraries_; }
  std::map<std::string, std::pair<std::string, std::string>>& contents() { return contents_; }
  // A run of the test under `key`: CTest's outcome and memsafe's verdict of it
  // (TestVerdict::word; "" when the launcher left none). Only a pass whose verdict is
  // "clean" and a skip whose verdict is "skipped" count as clean runs: CTest's outcome
  // alone can be a pass over a finding (WILL_FAIL, PASS_REGULAR_EXPRESSION). A finding
  // is remembered as such; anything else forgets the test.
  // `loaded`: what the run's processes ran and mapped (ReadLoadedObjects), fingerprinted
  // now and checked by Remembered; a clean run with an incomplete record does not count.
  // Null for a test outside the launcher, which runs no program under a tool and is
  // keyed by its key alone.
  // A recorded file that is gone when the run is recorded (a copy the test deleted) is no
  // proof either: what it was cannot be compared later.
  void Record(const std::string& test, const std::string& key, TestOutcome outcome, std::string_view verdict,
              const LoadedObjects* loaded = nullptr);
  // Why Record did not count the last clean run of `test` ("" when it did, or the run
  // was not clean): for memsafe check to name tests that run every time.
  const std::string& UncountedWhy(const std::string& test) const;
  // Forgets the fingerprints taken so far: files read once per run are read again (after
  // the tests ran, to see what changed under them).
  void ForgetFingerprints() { fingerprints_.clear(); }
  std::size_t size() const { return results_.size(); }

 private:
  struct Result {
    std::string key;
    TestOutcome outcome;  // kPassed or kSkipped
    int clean_runs = 0;   // in a row under this key
    bool finding_seen = false;
    std::vector<std::string> loaded;  // the files its processes loaded (LoadedObjects::objects)
    std::string loaded_print;         // their fingerprints when it ran
  };
  // The combined fingerprint of `files`; "" when one of them is missing or not a file.
  std::string PrintOf(const std::vector<std::string>& files, std::string* missing = nullptr);
  // Fingerprints taken in this run, by path: hundreds of cached tests load the same
  // libraries, and a small file is hashed whole.
  std::map<std::string, std::string> fingerprints_;
  std::map<std::string, std::string> uncounted_;
  std::map<std::string, Result> results_;  // test -> the key it ran with and how it ended
  std::map<std::string, std::vector<std::string>> libraries_;
  std::map<std::string, std::pair<std::string, std::string>> contents_;
};

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_RESULT_CACHE_H_
