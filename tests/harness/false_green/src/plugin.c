/* The plugin `hp plugin` loads with dlopen(). The false_green test sets HP_PLUGIN_BUG
 * to 1 here to plant a heap-buffer-overflow. */
#include <stdlib.h>
#include <string.h>

#define HP_PLUGIN_BUG 0

int hp_plugin_check(void) {
  volatile size_t size = 8;
  char* block = malloc(size);
  memset(block, 0, size);
  if (HP_PLUGIN_BUG) ((volatile char*)block)[size] = 'x';
  int first = block[0];
  free(block);
  return first;
}
