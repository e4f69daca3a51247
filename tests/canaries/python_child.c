/* Canary helper: the instrumented program that python_library_canary.py starts after it
   has loaded the canary library. It must start with the test's own sanitizer settings,
   not the interpreter's preload: with "leak" it leaks a block, which only a child whose
   leak detection is on reports; otherwise it does nothing and must exit 0 (a second
   runtime preloaded into it would stop it: "incompatible ASan runtimes"). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void LeakThirtyTwo(void) { (void)malloc(32); /* the leak */ }

/* On a thread that ends before the leak check: no stale pointer in a live frame. */
static void* Leaker(void* unused) {
  (void)unused; /* pthread's signature, nothing to pass */
  LeakThirtyTwo();
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "leak") == 0) {
    pthread_t leaker;
    if (pthread_create(&leaker, 0, Leaker, 0) != 0) return 2;
    pthread_join(leaker, 0);
  }
  return 0;
}
