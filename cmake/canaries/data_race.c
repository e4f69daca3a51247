/* Canary: two threads increment one counter without synchronization.
   ThreadSanitizer must report a data race. Written in the common subset of C and C++:
   it is compiled as whichever of the two the adopting project enables. */
#include <pthread.h>

static int counter = 0;

__attribute__((noinline)) static void* Increment(void* unused) {
  (void)unused; /* pthread's signature, nothing to pass */
  for (int i = 0; i < 1000; ++i) ++counter;
  return 0;
}

int main(void) {
  pthread_t first, second;
  if (pthread_create(&first, 0, Increment, 0) != 0) return 2;
  if (pthread_create(&second, 0, Increment, 0) != 0) return 2;
  pthread_join(first, 0);
  pthread_join(second, 0);
  return counter > 0 ? 0 : 1;
}
