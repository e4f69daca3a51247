/* Recurses without a base case. */
#include <stdio.h>

static int depth(volatile int n) { /* BUG: the frame that no longer fits */
  char frame[256];
  frame[n % 256] = (char)n;
  return depth(n + 1) + frame[0];
}

int main(void) {
  printf("%d\n", depth(0));
  return 0;
}
