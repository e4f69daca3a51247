// Takes a buffer out of its unique_ptr with release() and drops it.
#include <cstdio>
#include <memory>

int main() {
  auto buffer = std::make_unique<char[]>(128);  // BUG
  buffer[0] = 'x';
  char* raw = buffer.release();
  std::printf("%c\n", raw[0]);
  return 0;
}
