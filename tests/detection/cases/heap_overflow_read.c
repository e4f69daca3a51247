/* Reads one element past the end of a heap array. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  int* values = malloc(10 * sizeof *values);
  for (int i = 0; i < 10; ++i) values[i] = i;
  volatile int index = 10;
  int sum = values[index]; /* BUG */
  free(values);
  printf("%d\n", sum);
  return 0;
}
