/* Reads one past the end of a global table. */
#include <stdio.h>

int table[4] = {10, 20, 30, 40};

int main(void) {
  volatile int index = 4;
  printf("%d\n", table[index]); /* BUG */
  return 0;
}
