/* Canary: branches on a heap value that was never written. Valgrind must report a
   conditional jump that depends on an uninitialised value. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  int* value = (int*)malloc(sizeof(int));
  if (value == 0) return 2;
  if (*value > 0) { /* *value was never written */
    puts("positive");
  }
  free(value);
  return 0;
}
