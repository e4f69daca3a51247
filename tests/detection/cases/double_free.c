/* Frees a buffer on an error path and again at the end. */
#include <stdlib.h>

static int fail(char* buffer) {
  free(buffer);
  return -1;
}

int main(void) {
  char* buffer = malloc(32);
  volatile int error = 1;
  int status = 0;
  if (error) status = fail(buffer);
  free(buffer); /* BUG */
  return status + 1;
}
