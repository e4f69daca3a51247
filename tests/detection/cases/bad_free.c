/* Frees a pointer into the middle of a heap block. */
#include <stdlib.h>

int main(void) {
  char* buffer = malloc(64);
  char* cursor = buffer + 8;
  free(cursor); /* BUG */
  free(buffer);
  return 0;
}
