/* Canary: writes one element past a heap array. AddressSanitizer must report
   heap-buffer-overflow. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  (void)argv; /* argc only: a value the optimizer cannot know */
  int* values = (int*)malloc(8 * sizeof(int));
  if (values == 0) return 2;
  values[0] = 1;
  volatile int index = 7 + argc; /* 8: one past the end */
  values[index] = 42;
  printf("%d\n", values[0]);
  free(values);
  return 0;
}
