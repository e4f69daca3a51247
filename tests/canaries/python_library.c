/* Canary library: loaded into an uninstrumented Python interpreter through ctypes
   (python_library_canary.py), as projects with Python-driven tests do. Its bugs must be
   reported at their lines: the launcher preloads the preset's sanitizer runtime into the
   interpreter, without which the library does not even load ("undefined symbol:
   __asan_..."). */
#include <pthread.h>
#include <stdlib.h>

/* A heap-buffer-overflow one byte past an 8-byte block; the index comes from the caller,
   so no compiler sees it coming. */
int memsafe_python_canary_overflow(int index) {
  char* block = malloc(8);
  if (block == 0) return -1;
  volatile char* bytes = block;
  bytes[index] = 1; /* the overflow when index is 8 */
  const int value = bytes[0];
  free(block);
  return value;
}

static int memsafe_python_canary_counter;

static void* Bump(void* unused) {
  (void)unused;                    /* pthread's signature, nothing to pass */
  ++memsafe_python_canary_counter; /* the race with the caller's increment */
  return 0;
}

/* A data race: a thread and its creator increment one counter without a lock. */
int memsafe_python_canary_race(void) {
  pthread_t bumper;
  if (pthread_create(&bumper, 0, Bump, 0) != 0) return -1;
  ++memsafe_python_canary_counter;
  pthread_join(bumper, 0);
  return memsafe_python_canary_counter;
}
