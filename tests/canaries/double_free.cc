// Canary: frees a block twice. The block is never used, so above -O0 the optimizer
// may delete the allocation and both frees: this canary fails when a preset lets
// it. AddressSanitizer must report attempting double-free.
#include <cstdlib>

int main() {
  void* block = std::malloc(48);
  std::free(block);
  std::free(block);
  return 0;
}
