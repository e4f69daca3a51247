// Canary: reads a heap block after freeing it. AddressSanitizer must report
// heap-use-after-free.
#include <cstdlib>
#include <cstring>

int main(int argc, char**) {
  char* block = static_cast<char*>(std::malloc(32));
  std::memset(block, 'x', 32);
  std::free(block);
  return block[argc];  // read after free
}
