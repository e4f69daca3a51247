/* Returns the address of a local and reads it after the function returned. */
#include <stdio.h>

static int* counter(void) {
  int local = 42;
  int* volatile escaped = &local;
  return escaped;
}

int main(void) {
  int* p = counter();
  printf("%d\n", *p); /* BUG */
  return 0;
}
