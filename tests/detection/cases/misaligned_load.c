/* Reads an int through a pointer into the middle of a byte buffer. */
#include <stdio.h>

int main(void) {
  _Alignas(int) unsigned char packet[16] = {0};
  volatile int offset = 1;
  int* field = (int*)(packet + offset);
  printf("%d\n", *field); /* BUG */
  return 0;
}
