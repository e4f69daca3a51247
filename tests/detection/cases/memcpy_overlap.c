/* Shifts a string left with memcpy, whose ranges overlap (memmove was meant). */
#include <stdio.h>
#include <string.h>

int main(void) {
  char text[32] = "  indented text";
  volatile size_t shift = 2;
  memcpy(text, text + shift, strlen(text) - shift + 1); /* BUG */
  printf("%s\n", text);
  return 0;
}
