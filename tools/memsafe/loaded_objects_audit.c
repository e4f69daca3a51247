/* An LD_AUDIT module: every dynamically linked process a test starts records the
 * program it runs and each shared object it maps, dlopen() included, one line per
 * object appended to the file MEMSAFE_LOADED_OBJECTS names:
 *
 *   exe /abs/path/of/the/program
 *   obj /abs/path/of/a/shared/object
 *   file /abs/path        (an argument of the process that names a regular file: the
 *                          script an interpreter runs, an input a helper reads)
 *   dir /abs/path         (an argument that names a directory: what the process reads
 *                          in it is not known, so the record is not whole)
 *   incomplete            (a path or an argument list that could not be recorded)
 *
 * Why: the quick run's result cache may leave a test out only while everything the
 * test ran and loaded is unchanged. Its command line names the test program, but not
 * a plugin it dlopen()s, a library LD_LIBRARY_PATH swaps in, or a helper it starts; the
 * dynamic loader knows all of them. The same record lets the verdict fail a test whose
 * child program of the build tree was not compiled with the preset's sanitizer.
 *
 * The launcher sets LD_AUDIT for the sanitizer presets only. Under Valgrind an audit
 * module makes libc's exit-time cleanup free memory the loader allocated before
 * Valgrind's allocator took over ("Invalid free()" in __libc_freeres, measured with
 * Valgrind 3.19 and glibc 2.36); there Valgrind's own log names the objects it reads.
 *
 * The module binds no symbols (la_objopen returns 0), so calls between libraries stay
 * as fast as without it. It must itself be built without sanitizer instrumentation:
 * the loader maps it in a namespace of its own, before any sanitizer runtime exists. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char** environ;

unsigned int la_version(unsigned int version);
unsigned int la_objopen(struct link_map* map, Lmid_t lmid, uintptr_t* cookie);

unsigned int la_version(unsigned int version) {
  /* Any version from 1 on has la_objopen with this signature. */
  return version < LAV_CURRENT ? version : LAV_CURRENT;
}

/* One write() per line on an O_APPEND descriptor: lines of processes running at the same
 * time do not interleave (a regular file's appends are atomic up to the line's size). */
static void memsafe_record(const char* kind, const char* path) {
  const char* log = getenv("MEMSAFE_LOADED_OBJECTS");
  if (log == NULL || log[0] == '\0') return;
  char line[4096 + 16];
  const size_t kind_length = strlen(kind);
  const size_t path_length = strlen(path);
  size_t length = 0;
  if (path[0] != '/' || strchr(path, '\n') != NULL || kind_length + 1 + path_length + 1 > sizeof line) {
    /* A relative or multi-line path cannot be told apart from other lines: the record
     * says it is incomplete, and the cache runs the test again next time. */
    memcpy(line, "incomplete\n", 11);
    length = 11;
  } else {
    memcpy(line, kind, kind_length);
    line[kind_length] = ' ';
    memcpy(line + kind_length + 1, path, path_length);
    length = kind_length + 1 + path_length;
    line[length++] = '\n';
  }
  const int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return; /* the verdict finds no "exe" line and the test is not cached */
  /* A short write leaves a line the parser refuses, which also means "not cached". */
  (void)!write(fd, line, length);
  (void)close(fd);
}

/* The arguments of this process that name regular files, absolute or relative to its
 * working directory: `sh script.sh`, `python3 gen.py`, a helper's input file. An
 * interpreter's exe line alone would not say which script it ran. */
static void memsafe_record_arguments(void) {
  static char arguments[64 * 1024];
  const int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    memsafe_record("file", "");
    return;
  }
  size_t length = 0;
  ssize_t got = 0;
  while (length < sizeof arguments && (got = read(fd, arguments + length, sizeof arguments - length)) > 0) {
    length += (size_t)got;
  }
  (void)close(fd);
  if (got < 0 || length == sizeof arguments) {
    memsafe_record("file", ""); /* unreadable, or longer than we hold: incomplete */
    return;
  }
  char cwd[4096];
  const int have_cwd = getcwd(cwd, sizeof cwd) != NULL;
  for (size_t at = 0; at < length;) {
    const char* argument = arguments + at;
    const size_t size = strnlen(argument, length - at);
    at += size + 1;
    if (size == 0 || size >= 4096) continue;
    /* "--input=/path", "if=/path" and "-I/path" name a file as surely as "/path". */
    const char* equals = strchr(argument, '=');
    const char* slash = argument[0] == '-' && equals == NULL ? strchr(argument, '/') : NULL;
    const char* named = equals != NULL && equals[1] == '/' ? equals + 1 : slash != NULL ? slash : argument;
    char path[8192];
    if (named[0] == '/') {
      memcpy(path, named, strlen(named) + 1);
    } else if (have_cwd && named[0] != '\0' && strlen(cwd) + 1 + strlen(named) + 1 <= sizeof path) {
      memcpy(path, cwd, strlen(cwd));
      path[strlen(cwd)] = '/';
      memcpy(path + strlen(cwd) + 1, named, strlen(named) + 1);
    } else {
      continue;
    }
    struct stat status;
    if (stat(path, &status) != 0) continue;
    if (S_ISREG(status.st_mode)) memsafe_record("file", path);
    if (S_ISDIR(status.st_mode)) memsafe_record("dir", path);
  }
}

/* Under the valgrind preset, a test that is a script (a shell, Python or cmake -P driver)
 * runs natively with this module, and MEMSAFE_VALGRIND_REEXEC names a file with
 * memsafe's Valgrind command, one argument per line. A process whose program lies in the
 * build tree (MEMSAFE_BUILD_DIR) starts again under that command, before any of its code
 * runs: the project's programs are checked whatever starts them, while the interpreter,
 * which Valgrind would make minutes slower and whose own reports are not the project's,
 * is not. The new process has no LD_AUDIT (memcheck and an audit module do not mix, see
 * above); programs it starts are Valgrind's to follow (--trace-children). When the exec
 * fails the program runs natively and its record says incomplete. */
static void memsafe_reexec_under_valgrind(const char* exe) {
  static char command[16 * 1024];
  static char arguments[64 * 1024];
  static char* argv[4096];
  static char* envp[4096];
  const char* command_file = getenv("MEMSAFE_VALGRIND_REEXEC");
  const char* build = getenv("MEMSAFE_BUILD_DIR");
  if (command_file == NULL || command_file[0] == '\0' || build == NULL || build[0] == '\0') return;
  const size_t build_length = strlen(build);
  if (strncmp(exe, build, build_length) != 0 || exe[build_length] != '/') return;
  size_t count = 0;
  const int files[2] = {open(command_file, O_RDONLY | O_CLOEXEC), open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)};
  char* buffers[2] = {command, arguments};
  const size_t sizes[2] = {sizeof command, sizeof arguments};
  size_t lengths[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    if (files[i] < 0) goto incomplete;
    ssize_t got = 0;
    while (lengths[i] < sizes[i] - 1 &&
           (got = read(files[i], buffers[i] + lengths[i], sizes[i] - 1 - lengths[i])) > 0) {
      lengths[i] += (size_t)got;
    }
    (void)close(files[i]);
    if (got < 0 || lengths[i] == sizes[i] - 1) goto incomplete;
    buffers[i][lengths[i]] = '\0';
  }
  /* memsafe's command, one argument per line ... */
  for (char* line = command; *line != '\0' && count < 4000;) {
    char* end = strchr(line, '\n');
    if (end != NULL) *end = '\0';
    if (*line != '\0') argv[count++] = line;
    if (end == NULL) break;
    line = end + 1;
  }
  if (count == 0) goto incomplete;
  /* ... then the program, by its full path, and its own arguments after its name. */
  argv[count++] = (char*)exe;
  for (size_t at = strnlen(arguments, lengths[1]) + 1; at < lengths[1] && count < 4095;) {
    argv[count++] = arguments + at;
    at += strnlen(arguments + at, lengths[1] - at) + 1;
  }
  argv[count] = NULL;
  size_t kept = 0;
  for (char** variable = environ; *variable != NULL && kept < 4095; ++variable) {
    if (strncmp(*variable, "LD_AUDIT=", 9) == 0 || strncmp(*variable, "MEMSAFE_VALGRIND_REEXEC=", 24) == 0) continue;
    envp[kept++] = *variable;
  }
  envp[kept] = NULL;
  (void)execve(argv[0], argv, envp);
incomplete:
  memsafe_record("file", ""); /* not under Valgrind after all: the record is not whole */
}

unsigned int la_objopen(struct link_map* map, Lmid_t lmid, uintptr_t* cookie) {
  (void)cookie;
  /* Objects of other namespaces (this module's own, dlmopen()) are not the program's. */
  if (lmid != LM_ID_BASE) return 0;
  if (map->l_name == NULL || map->l_name[0] == '\0') {
    /* The main program has no name in the link map: the kernel knows its path. */
    char exe[4096];
    const ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (length <= 0) {
      memsafe_record("exe", "");
      return 0;
    }
    exe[length] = '\0';
    memsafe_record("exe", exe);
    memsafe_record_arguments();
    memsafe_reexec_under_valgrind(exe);
  } else if (strchr(map->l_name, '/') != NULL) {
    memsafe_record("obj", map->l_name);
  }
  /* Names without a slash are the kernel's vDSO ("linux-vdso.so.1"): no file to record. */
  return 0;
}
