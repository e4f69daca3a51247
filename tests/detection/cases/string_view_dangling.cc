// Keeps a string_view of a temporary string whose buffer is on the heap.
#include <cstdio>
#include <string>
#include <string_view>

std::string Greeting() { return std::string(64, 'h'); }

int main() {
  std::string_view view = Greeting();
  std::printf("%c\n", view[10]);  // BUG
  return 0;
}
