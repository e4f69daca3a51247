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
 *                               the target's children get: "=value", or empty for unset;
 *   MEMSAFE_PRELOAD_SCOPED      a file this module creates in the target, so the launcher
 *                               knows the preload stopped there: without it every
 *                               process ran with the interpreter's settings (leak
 *                               detection off), and the test fails.
 * In the target, before its main() reads the environment, this module puts those values
 * back and removes its own variables. The target's runtime is not affected: the
 * sanitizers read their options from /proc/self/environ, the environment the process
 * started with.
 *
 * Built without instrumentation (it runs before any sanitizer's initialisation may have
 * finished, and it must work in a program of either compiler). */
#define _GNU_SOURCE
#include <fcntl.h>
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

/* The environment cannot be put back (setenv's ENOMEM): the children would run with the
 * interpreter's settings, so the process stops, saying why, before it runs anything. */
static void memsafe_scope_failed(const char* variable) {
  static const char kMessage[] =
      "memsafe-preload-scope: cannot restore the environment for the processes a Python "
      "interpreter starts: ";
  (void)!write(2, kMessage, sizeof kMessage - 1); /* nothing else to tell, about to exit */
  (void)!write(2, variable, strlen(variable));    /* likewise */
  (void)!write(2, "\n", 1);                       /* likewise */
  _exit(125);
}

__attribute__((constructor)) static void memsafe_scope_preload(void) {
  if (!memsafe_is_target()) return;
  for (size_t i = 0; i < sizeof kRestored / sizeof kRestored[0]; ++i) {
    char saved_name[64] = "MEMSAFE_CHILD_";
    strncat(saved_name, kRestored[i], sizeof saved_name - strlen(saved_name) - 1);
    const char* saved = getenv(saved_name);
    if (saved == NULL) continue; /* the launcher did not change this one */
    const int failed = saved[0] == '=' ? setenv(kRestored[i], saved + 1, 1) : unsetenv(kRestored[i]);
    if (failed != 0 || unsetenv(saved_name) != 0) memsafe_scope_failed(kRestored[i]);
  }
  const char* marker = getenv("MEMSAFE_PRELOAD_SCOPED");
  if (marker != NULL && marker[0] != '\0') {
    const int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    /* Unwritable, the launcher finds no marker and fails the test, which is safe. */
    if (fd >= 0) (void)close(fd); /* an empty file: its existence is the message */
  }
  if (unsetenv("MEMSAFE_PRELOAD_SCOPED") != 0 || unsetenv("MEMSAFE_PRELOAD_INTO") != 0) {
    memsafe_scope_failed("MEMSAFE_PRELOAD_INTO");
  }
}
