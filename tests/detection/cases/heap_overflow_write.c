/* Writes one byte past the end of a heap buffer (a forgotten terminator byte). */
#include <stdlib.h>
#include <string.h>

int main(void) {
  const char* text = "twelve chars";
  char* copy = malloc(strlen(text));
  memcpy(copy, text, strlen(text));
  copy[strlen(text)] = '\0'; /* BUG */
  free(copy);
  return 0;
}
