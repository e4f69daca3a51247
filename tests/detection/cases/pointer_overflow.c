/* Advances a pointer by an offset that wraps around the address space. */
#include <stdint.h>
#include <stdio.h>

int main(void) {
  char buffer[8];
  char* cursor = buffer;
  volatile uintptr_t offset = UINTPTR_MAX - 3;
  cursor += offset; /* BUG */
  printf("%d\n", cursor < buffer);
  return 0;
}
