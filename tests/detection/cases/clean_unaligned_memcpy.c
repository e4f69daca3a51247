/* Clean look-alike of misaligned_load.c: copies the field out with memcpy. */
#include <stdio.h>
#include <string.h>

int main(void) {
  unsigned char packet[16] = {0, 1, 0, 0, 0};
  volatile int offset = 1;
  int field;
  memcpy(&field, packet + offset, sizeof field);
  printf("%d\n", field);
  return 0;
}
