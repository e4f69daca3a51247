// Canary: reads an int through a misaligned pointer. UndefinedBehaviorSanitizer must
// report a misaligned address.
#include <cstring>

int main(int argc, char**) {
  alignas(8) unsigned char bytes[16];
  std::memset(bytes, 1, sizeof bytes);
  const int* misaligned = reinterpret_cast<const int*>(bytes + argc);  // bytes + 1
  return *misaligned == 0 ? 1 : 0;
}
