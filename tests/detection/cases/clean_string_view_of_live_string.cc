// Clean look-alike of string_view_dangling.cc: the string outlives the view.
#include <cstdio>
#include <string>
#include <string_view>

std::string Greeting() { return std::string(64, 'h'); }

int main() {
  const std::string greeting = Greeting();
  std::string_view view = greeting;
  std::printf("%c\n", view[10]);
  return 0;
}
