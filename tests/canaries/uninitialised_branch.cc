// Canary: branches on a heap value that was never written. Valgrind must report a
// conditional jump that depends on an uninitialised value.
#include <cstdio>
#include <cstdlib>

int main() {
  int* value = static_cast<int*>(std::malloc(sizeof(int)));
  if (*value > 0) {  // *value was never written
    std::puts("positive");
  }
  std::free(value);
  return 0;
}
