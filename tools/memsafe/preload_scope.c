/* Keeps a preloaded sanitizer runtime inside the one process that needs it.
 *
 * Why: a test whose program is an uninstrumented interpreter (python3 running a ctypes
 * or extension-module test) loads the project's sanitizer-built library into a process
 * that has no sanitizer runtime: Clang leaves the runtime's symbols undefined in shared
 * libraries ("undefined symbol: __asan_option_detect_stack_use_after_return"), GCC's
 * runtime refuses to start after the program ("ASan runtime does not come first").
 * The launcher (cmake/memsafe-run.sh) therefore preloads the preset's shared runtime
 * into the interpreter, with this module after it. Left in the environment, the preload
 * would reach every process the interpreter starts: the project's instrumented programs
 * (which carry a runtime of their own: "incompatible ASan runtimes") and the sanitizer's
 * symbolizer (which hangs). The interpreter's runtime also runs without leak detection
 * (an interpreter's own allocations at exit are not the project's), which its children
 * must not inherit.
 *
 * So the launcher sets, beside LD_PRELOAD and the relaxed options:
 *   MEMSAFE_PRELOAD_INTO        a shell pattern for the name of the program that is the
 *                               preload's target ("python*"); processes on the way to it
 *                               (a pyenv shim, env, setarch) leave everything as it is;
 *   MEMSAFE_CHILD_<VARIABLE>    for LD_PRELOAD and each sanitizer options variable, what
 *                               the target's children get: "=value", or empty for unset.
 * In the target, before its main() reads the environment, this module puts those values
 * back and removes its own variables. The target's runtime is not affected: the
 * sanitizers read their options from /proc/self/environ, the environment the process
 * started with.
 *
 * Built without instrumentation (it runs before any sanitizer's initialisation may have
 * finished, and it must work in a program of either compiler). */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char* const kRestored[] = {"LD_PRELOAD", "ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS"};

static int memsafe_is_target(void) {
  const char* pattern = getenv("MEMSAFE_PRELOAD_INTO");
  if (pattern == NULL || pattern[0] == '\0') return 0;
  char exe[PATH_MAX];
  const ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (length <= 0) return 0;
  exe[length] = '\0';
  const char* name = strrchr(exe, '/');
  return fnmatch(pattern, name != NULL ? name + 1 : exe, 0) == 0;
}

__attribute__((constructor)) static void memsafe_scope_preload(void) {
  if (!memsafe_is_target()) return;
  for (size_t i = 0; i < sizeof kRestored / sizeof kRestored[0]; ++i) {
    char saved_name[64] = "MEMSAFE_CHILD_";
    strncat(saved_name, kRestored[i], sizeof saved_name - strlen(saved_name) - 1);
    const char* saved = getenv(saved_name);
    if (saved == NULL) continue; /* the launcher did not change this one */
    /* A failed setenv() leaves the relaxed value: the children run with the interpreter's
     * options, which the test's report shows; nothing better can be done this early. */
    if (saved[0] == '=') {
      (void)setenv(kRestored[i], saved + 1, 1);
    } else {
      (void)unsetenv(kRestored[i]);
    }
    (void)unsetenv(saved_name);
  }
  (void)unsetenv("MEMSAFE_PRELOAD_INTO");
}
