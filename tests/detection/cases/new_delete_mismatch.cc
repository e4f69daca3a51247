// Releases an array allocated with new[] through scalar delete.
#include <cstdio>

int main() {
  int* samples = new int[16];
  samples[0] = 1;
  std::printf("%d\n", samples[0]);
  delete samples;  // BUG
  return 0;
}
