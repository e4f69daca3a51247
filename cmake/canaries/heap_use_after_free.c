/* Canary: reads a heap block after freeing it. AddressSanitizer must report
   heap-use-after-free. */
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  (void)argv; /* argc only: an index the optimizer cannot know */
  char* block = (char*)malloc(32);
  if (block == 0) return 2;
  memset(block, 'x', 32);
  free(block);
  return block[argc]; /* read after free */
}
