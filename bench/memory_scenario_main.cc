#include "memory_scenario_main.h"

#include <fcntl.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace memsafe::bench {
namespace {

// The peak resident set of this program's own memory (VmHWM of /proc/self/status), in
// KiB; -1 when unknown. Not getrusage: a process started by posix_spawn (vfork) or fork
// inherits its parent's high-water mark across exec, so ru_maxrss would report the
// larger of the caller's footprint and the scenario's.
long PeakRssKib() {
  // No heap: massif measures this process too.
  char text[4096];
  const int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return -1;
  text[n] = '\0';
  const char* line = std::strstr(text, "VmHWM:");
  return line == nullptr ? -1 : std::atol(line + 6);
}

// The line `memsafe baseline` reads, written without stdio's heap buffer.
void PrintPeakRss() {
  char line[64];
  const int length = std::snprintf(line, sizeof line, "peak_rss_kib=%ld\n", PeakRssKib());
  // Best effort: a reader that closed the pipe has no use for the figure.
  (void)!write(STDOUT_FILENO, line, static_cast<size_t>(length));
}

}  // namespace

PlantedRegression::PlantedRegression() {
  const char* extra = std::getenv("MEMSAFE_SCENARIO_EXTRA_BYTES");
  if (extra != nullptr) bytes_.assign(std::strtoul(extra, nullptr, 10), 1);
}

int ScenarioFailed(const char* what) {
  std::fprintf(stderr, "memory scenario failed: %s\n", what);
  return 1;
}

int RunMemoryScenarios(int argc, char** argv, std::span<const MemoryScenario> scenarios) {
  if (argc == 2 && std::strcmp(argv[1], "--compiler") == 0) {
#if defined(__clang__)
    std::printf("clang %s\n", __clang_version__);
#else
    std::printf("gcc %s\n", __VERSION__);
#endif
    return 0;
  }
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const MemoryScenario& scenario : scenarios) std::printf("%s\t%s\n", scenario.name, scenario.what);
    return 0;
  }
  const int scale = argc == 3 ? std::atoi(argv[2]) : 1;
  if ((argc != 2 && argc != 3) || scale < 1) {
    std::fprintf(stderr, "USAGE: %s --list | --compiler | SCENARIO [SCALE>=1]\n", argv[0]);
    return 2;
  }
  for (const MemoryScenario& scenario : scenarios) {
    if (std::strcmp(argv[1], scenario.name) != 0) continue;
    const int status = scenario.run(scale);
    PrintPeakRss();
    return status;
  }
  std::fprintf(stderr, "%s: unknown scenario '%s' (see --list)\n", argv[0], argv[1]);
  return 2;
}

}  // namespace memsafe::bench
