/* The project's shared library. Built with -DHP_SHARED_BUG (the false_green test does
 * that by hand, outside the project) it writes one byte past a heap block. */
#include <stdlib.h>
#include <string.h>

int hp_shared_check(void) {
  volatile size_t size = 8;
  char* block = malloc(size);
  memset(block, 0, size);
#ifdef HP_SHARED_BUG
  ((volatile char*)block)[size] = 'x';
#endif
  int first = block[0];
  free(block);
  return first;
}
