/* Uses a pointer to a block-scoped variable after the block ended. */
#include <stdio.h>

int main(void) {
  int* volatile p = 0;
  {
    int inner = 5;
    p = &inner;
  }
  *p = 6; /* BUG */
  printf("done\n");
  return 0;
}
