/* Returns the address of a local and reads it after the function returned.
 * noinline: once inlined into main the frame never returns, and ASan names the
 * same read a stack-use-after-scope instead (seen at -O1). */
#include <stdio.h>

__attribute__((noinline)) static int* counter(void) {
  int local = 42;
  int* volatile escaped = &local;
  return escaped;
}

int main(void) {
  int* p = counter();
  printf("%d\n", *p); /* BUG */
  return 0;
}
