/* Clean look-alike of memcpy_overlap.c: memmove is defined for overlapping ranges. */
#include <stdio.h>
#include <string.h>

int main(void) {
  char text[32] = "  indented text";
  volatile size_t shift = 2;
  memmove(text, text + shift, strlen(text) - shift + 1);
  printf("%s\n", text);
  return 0;
}
