// Canary: writes one element past a heap array. AddressSanitizer must report
// heap-buffer-overflow.
#include <cstdio>

int main(int argc, char**) {
  int* values = new int[8];
  volatile int index = 7 + argc;  // 8: one past the end, unknown to the optimizer
  values[index] = 42;
  std::printf("%d\n", values[0]);
  delete[] values;
  return 0;
}
