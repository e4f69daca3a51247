/* Overwrites the only pointer to a buffer with a new one. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char* line = malloc(40); /* BUG */
  line[0] = 'x';
  line = malloc(80);
  line[0] = 'y';
  printf("%c\n", line[0]);
  free(line);
  return 0;
}
