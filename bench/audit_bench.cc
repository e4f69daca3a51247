// What the loader's audit module (tools/memsafe/loaded_objects_audit.c) costs each
// process a test starts: a script-driven test starts many. Each candidate starts the
// same program with LD_AUDIT set and its record going to a scratch file; its baseline,
// measured in the same run, starts it without.
//
//   memsafe_audit_bench [--benchmark_min_time=2]
#include <benchmark/benchmark.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ratio_reporter.h"

extern char** environ;

namespace memsafe::bench {
namespace {

// Starts `argv` with the current environment plus `extra`, waits, and stops the
// benchmark with an error when it did not exit 0.
void SpawnAndWait(benchmark::State& state, const std::vector<const char*>& argv,
                  const std::vector<std::string>& extra) {
  std::vector<char*> env;
  for (char** entry = environ; *entry != nullptr; ++entry) env.push_back(*entry);
  std::vector<std::string> owned = extra;
  for (std::string& entry : owned) env.push_back(entry.data());
  env.push_back(nullptr);
  std::vector<char*> args;
  for (const char* arg : argv) args.push_back(const_cast<char*>(arg));
  args.push_back(nullptr);
  for (auto _ : state) {
    pid_t pid = 0;
    if (posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), env.data()) != 0) {
      state.SkipWithError("posix_spawn failed");
      return;
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("the program did not exit 0");
      return;
    }
  }
}

std::vector<std::string> Audited() {
  // The record grows by a few lines per process; /dev/null keeps the file system out
  // of the figure (the write itself is measured).
  return {std::string("LD_AUDIT=") + MEMSAFE_AUDIT_MODULE, "MEMSAFE_LOADED_OBJECTS=/dev/null"};
}

// One small dynamically linked program.
void BM_Spawn_True(benchmark::State& state) { SpawnAndWait(state, {"/bin/true"}, {}); }
void BM_Spawn_True_Audited(benchmark::State& state) { SpawnAndWait(state, {"/bin/true"}, Audited()); }
// A shell that starts a program, as a test script does for each step.
void BM_Spawn_ShellRunningTrue(benchmark::State& state) {
  SpawnAndWait(state, {"/bin/sh", "-c", "/bin/true; /bin/true"}, {});
}
void BM_Spawn_ShellRunningTrue_Audited(benchmark::State& state) {
  SpawnAndWait(state, {"/bin/sh", "-c", "/bin/true; /bin/true"}, Audited());
}

BENCHMARK(BM_Spawn_True)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Spawn_True_Audited)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Spawn_ShellRunningTrue)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Spawn_ShellRunningTrue_Audited)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace memsafe::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  memsafe::bench::RatioReporter reporter({{"BM_Spawn_True_Audited", "BM_Spawn_True", false},
                                          {"BM_Spawn_ShellRunningTrue_Audited", "BM_Spawn_ShellRunningTrue", false}});
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
