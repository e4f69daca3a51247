/* Canary: leaks two blocks that are never used, 64 and 48 bytes. Above -O0 the
   optimizer may delete such allocations, and the leaks with them: this canary fails
   when a preset lets it. LeakSanitizer must report both as direct leaks; Valgrind must
   report them as definitely lost.

   The leaks happen on a thread that has ended before the leak check, so no stale copy
   of a pointer in a live stack frame or register can make the blocks look reachable. */
#include <pthread.h>
#include <stdlib.h>

__attribute__((noinline)) static void LeakSixtyFour(void) { (void)malloc(64); /* the leak */ }
__attribute__((noinline)) static void LeakFortyEight(void) { (void)malloc(48); /* the leak */ }

static void* Leaker(void* unused) {
  (void)unused; /* pthread's signature, nothing to pass */
  LeakSixtyFour();
  LeakFortyEight();
  return 0;
}

int main(void) {
  pthread_t leaker;
  if (pthread_create(&leaker, 0, Leaker, 0) != 0) return 2;
  pthread_join(leaker, 0);
  return 0;
}
