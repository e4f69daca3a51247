/* Clean look-alike of signed_overflow.c: unsigned arithmetic wraps by definition. */
#include <stdio.h>

int main(void) {
  volatile unsigned width = 70000;
  volatile unsigned height = 70000;
  unsigned area = width * height;
  printf("%u\n", area);
  return 0;
}
