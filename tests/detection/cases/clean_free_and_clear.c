/* Clean look-alike of double_free.c: the error path clears the pointer it freed. */
#include <stdlib.h>

int main(void) {
  char* buffer = malloc(32);
  volatile int error = 1;
  if (error) {
    free(buffer);
    buffer = NULL;
  }
  free(buffer); /* free(NULL) does nothing */
  return 0;
}
