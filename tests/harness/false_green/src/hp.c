/* The fixture's test program: `hp MODE [ARG]`. Every mode is clean unless its trigger
 * says "bug"; then it writes one byte past a heap block (or leaks, or prints). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Writes one byte past an 8-byte heap block: ASan's heap-buffer-overflow. */
static int overflow(void) {
  volatile size_t size = 8;
  char* block = malloc(size);
  memset(block, 0, size);
  ((volatile char*)block)[size] = 'x';
  int first = block[0];
  free(block);
  return first;
}

static void* volatile leaked;

/* Loses 32-byte blocks: LeakSanitizer's memory-leak. */
__attribute__((noinline)) static void leak(void) {
  for (int i = 0; i < 4; ++i) {
    leaked = malloc(32);
    memset(leaked, i, 32);
  }
  leaked = NULL;
}

/* Whether the file starts with "bug". */
static int says_bug(const char* path) {
  char text[4] = {0};
  FILE* file = fopen(path, "rb");
  if (file == NULL) {
    fprintf(stderr, "hp: cannot open %s\n", path);
    exit(2);
  }
  size_t got = fread(text, 1, 3, file);
  fclose(file);
  return got == 3 && memcmp(text, "bug", 3) == 0;
}

/* Whether the file starts with "on" (a trigger that arms a mode). */
static int says_on(const char* path) {
  char text[3] = {0};
  FILE* file = fopen(path, "rb");
  if (file == NULL) return 0;
  const size_t got = fread(text, 1, 2, file);
  fclose(file);
  return got == 2 && memcmp(text, "on", 2) == 0;
}

/* The flaky test: when its trigger says "on", it counts its executions in HP_COUNTER
 * and overflows on the second one only. */
static int flaky(const char* trigger) {
  if (!says_on(trigger)) return 0;
  long count = 0;
  FILE* counter = fopen(HP_COUNTER, "r");
  if (counter != NULL) {
    if (fscanf(counter, "%ld", &count) != 1) count = 0;
    fclose(counter);
  }
  ++count;
  counter = fopen(HP_COUNTER, "w");
  if (counter == NULL) {
    fprintf(stderr, "hp: cannot write %s\n", HP_COUNTER);
    return 2;
  }
  fprintf(counter, "%ld\n", count);
  fclose(counter);
  printf("flaky: execution %ld\n", count);
  return count == 2 ? overflow() : 0;
}

/* Loads the shared object at `path` and runs its `function`. */
static int run_plugin(const char* path, const char* function) {
  void* handle = dlopen(path, RTLD_NOW);
  if (handle == NULL) {
    fprintf(stderr, "hp: %s\n", dlerror());
    return 2;
  }
  int (*check)(void) = (int (*)(void))dlsym(handle, function);
  if (check == NULL) {
    fprintf(stderr, "hp: no %s in %s\n", function, path);
    dlclose(handle);
    return 2;
  }
  int result = check();
  dlclose(handle);
  return result;
}

/* When the trigger says "on": overflows in one execution of three, at random, as a
 * race or an allocation-order bug shows now and then (false_green_test.sh flaky-rate). */
static int random_bug(const char* trigger) {
  if (!says_on(trigger)) return 0;
  unsigned char byte = 0;
  FILE* random = fopen("/dev/urandom", "rb");
  if (random == NULL || fread(&byte, 1, 1, random) != 1) {
    fprintf(stderr, "hp: cannot read /dev/urandom\n");
    return 2;
  }
  fclose(random);
  return byte % 3 == 0 ? overflow() : 0;
}

/* Runs the shell script whose path is compiled in (HP_SCRIPT) with system(), giving it
 * this program's path: what the script makes of it is on no command line of the test. */
static int script(const char* self) {
  char command[8192];
  snprintf(command, sizeof command, "sh '%s' '%s'", HP_SCRIPT, self);
  return system(command) == 0 ? 0 : 1;
}

/* Runs `PROGRAM file TRIGGER` in a child process and ignores how it ended: only a tool
 * that follows the child sees its bug. */
static int child(const char* program, const char* trigger) {
  const pid_t pid = fork();
  if (pid == 0) {
    execl(program, program, "file", trigger, (char*)NULL);
    _exit(127);
  }
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: hp MODE [ARG]\n");
    return 2;
  }
  const char* mode = argv[1];
  const char* arg = argc > 2 ? argv[2] : "";
  if (strcmp(mode, "will-fail") == 0) {
    if (says_bug(arg)) return overflow();
    return 1; /* the failure the test expects */
  }
  if (strcmp(mode, "pass-regex") == 0) {
    printf("all done\n");
    fflush(stdout);
    return says_bug(arg) ? overflow() : 0;
  }
  if (strcmp(mode, "env") == 0) {
    const char* value = getenv(arg);
    return value != NULL && strcmp(value, "bug") == 0 ? overflow() : 0;
  }
  if (strcmp(mode, "opt") == 0) {
    if (strncmp(arg, "--input=", 8) != 0) return 2;
    return says_bug(arg + 8) ? overflow() : 0;
  }
  if (strcmp(mode, "file") == 0) return says_bug(arg) ? overflow() : 0;
  if (strcmp(mode, "plugin") == 0) return run_plugin(HP_PLUGIN, "hp_plugin_check");
  if (strcmp(mode, "child") == 0) return argc > 3 ? child(arg, argv[3]) : 2;
  /* hp maybe-child NAME TRIGGER: the program NAME beside hp runs only when the trigger
   * says "bug". */
  if (strcmp(mode, "maybe-child") == 0) {
    if (argc < 4) return 2;
    if (!says_bug(argv[3])) return 0;
    char program[4096];
    const char* slash = strrchr(argv[0], '/');
    const int dir = slash != NULL ? (int)(slash - argv[0]) : 1;
    snprintf(program, sizeof program, "%.*s/%s", dir, slash != NULL ? argv[0] : ".", arg);
    return child(program, argv[3]);
  }
  /* hp fail-or-child NAME TRIGGER: fails, as its test (WILL_FAIL) expects; first runs the
   * program NAME beside hp when the trigger says "bug". */
  if (strcmp(mode, "fail-or-child") == 0) {
    if (argc < 4) return 2;
    if (says_bug(argv[3])) {
      char program[4096];
      const char* slash = strrchr(argv[0], '/');
      const int dir = slash != NULL ? (int)(slash - argv[0]) : 1;
      snprintf(program, sizeof program, "%.*s/%s", dir, slash != NULL ? argv[0] : ".", arg);
      (void)child(program, argv[3]); /* how the child ended is not this test's concern */
    }
    return 1;
  }
  /* A plugin outside the build tree whose path is compiled in (HP_OUTER, built by the
   * test script): no command line, environment or file of the build tree names it. */
  if (strcmp(mode, "outer") == 0) return run_plugin(HP_OUTER, "hp_outer_check");
  if (strcmp(mode, "script") == 0) return script(arg);
  if (strcmp(mode, "flaky") == 0) return flaky(arg);
  if (strcmp(mode, "random") == 0) return random_bug(arg);
  if (strcmp(mode, "leak") == 0) {
    if (says_bug(arg)) leak();
    return 0;
  }
  if (strcmp(mode, "stderr-text") == 0) {
    if (says_bug(arg)) {
      fprintf(stderr, "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010\n");
      fprintf(stderr, "SUMMARY: AddressSanitizer: heap-use-after-free hp.c:1 in main\n");
    }
    return 0;
  }
  // The launcher must run exactly the command CTest was given: an argument holding ';',
  // an empty one, one ending in "]=" and one that starts with a newline, as
  // add_test(COMMAND hp exact-args "a;b" "" c "x]=" "\nlead") gives them.
  if (strcmp(mode, "exact-args") == 0) {
    if (argc == 7 && strcmp(argv[2], "a;b") == 0 && argv[3][0] == '\0' && strcmp(argv[4], "c") == 0 &&
        strcmp(argv[5], "x]=") == 0 && strcmp(argv[6], "\nlead") == 0) {
      return 0;
    }
    fprintf(stderr, "hp: exact-args: got %d arguments, not \"a;b\" \"\" c \"x]=\" \"\\nlead\"\n", argc - 2);
    return 1;
  }
  fprintf(stderr, "hp: unknown mode %s\n", mode);
  return 2;
}
