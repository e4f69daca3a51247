/* Recurses without a base case. The guard page is hit either where a frame is set up
 * or where the call pushes its return address, as the stack's start falls: ASan's
 * summary names the one line or the other from run to run. */
#include <stdio.h>

static int depth(volatile int n) { /* BUG: the frame that no longer fits */
  char frame[256];
  frame[n % 256] = (char)n;
  return depth(n + 1) + frame[0]; /* BUG: the call that no longer fits */
}

int main(void) {
  printf("%d\n", depth(0));
  return 0;
}
