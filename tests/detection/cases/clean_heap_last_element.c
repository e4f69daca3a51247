/* Clean look-alike of heap_overflow_read.c: reads the last element, not past it. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  int* values = malloc(10 * sizeof *values);
  for (int i = 0; i < 10; ++i) values[i] = i;
  volatile int index = 9;
  int last = values[index];
  free(values);
  printf("%d\n", last);
  return 0;
}
