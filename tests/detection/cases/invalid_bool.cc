// Loads a bool whose byte holds neither 0 nor 1.
#include <cstdio>
#include <cstring>

int main() {
  unsigned char raw = 2;
  bool flag;
  std::memcpy(&flag, &raw, 1);
  volatile bool* p = &flag;
  if (*p) std::printf("set\n");  // BUG
  return 0;
}
