/* Multiplies two ints whose product does not fit. */
#include <stdio.h>

int main(void) {
  volatile int width = 70000;
  volatile int height = 70000;
  int area = width * height; /* BUG */
  printf("%d\n", area);
  return 0;
}
