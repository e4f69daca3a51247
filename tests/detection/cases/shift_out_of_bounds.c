/* Shifts a 32-bit value by its width. */
#include <stdio.h>

int main(void) {
  volatile int bits = 32;
  unsigned mask = 1u << bits; /* BUG */
  printf("%u\n", mask);
  return 0;
}
