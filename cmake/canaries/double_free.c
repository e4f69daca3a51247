/* Canary: frees a block twice. The block is never used, so above -O0 the optimizer
   may delete the allocation and both frees: this canary fails when a preset lets
   it. AddressSanitizer must report attempting double-free. */
#include <stdlib.h>

int main(void) {
  void* block = malloc(48);
  free(block);
  free(block);
  return 0;
}
