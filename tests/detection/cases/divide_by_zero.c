/* Divides by a count that is zero. */
#include <stdio.h>

int main(void) {
  volatile int total = 10;
  volatile int count = 0;
  printf("%d\n", total / count); /* BUG */
  return 0;
}
