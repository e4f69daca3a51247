/* A plugin the test script builds outside the project's build (state/libouter.so), as
 * a developer's locally built or system-installed plugin would be. Clean unless built
 * with -DHP_OUTER_BUG=1. */
#include <stdlib.h>
#include <string.h>

#ifndef HP_OUTER_BUG
#define HP_OUTER_BUG 0
#endif

int hp_outer_check(void);

int hp_outer_check(void) {
  volatile size_t size = 8;
  char* block = malloc(size);
  memset(block, 0, size);
  ((volatile char*)block)[size - 1 + HP_OUTER_BUG] = 'x';
  int first = block[0];
  free(block);
  return first;
}
