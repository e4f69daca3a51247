/* Writes a buffer with uninitialised bytes to a file descriptor. */
#include <stdlib.h>
#include <unistd.h>

int main(void) {
  char* buffer = malloc(16);
  buffer[0] = 'a';
  ssize_t written = write(STDOUT_FILENO, buffer, 16); /* BUG */
  free(buffer);
  return written == 16 ? 0 : 1;
}
