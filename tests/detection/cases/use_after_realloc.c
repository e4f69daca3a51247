/* Keeps a pointer into a buffer that realloc moved. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char* buffer = malloc(16);
  buffer[0] = 'a';
  char* first = buffer;
  buffer = realloc(buffer, 1 << 20); /* large enough to move */
  if (buffer == first) {
    free(buffer);
    return 0;
  }
  printf("%c\n", *first); /* BUG */
  free(buffer);
  return 0;
}
