// Two threads write characters into one std::ostringstream. Every racing access is inside
// libstdc++'s compiled stream members, which no sanitizer instrumented, so ThreadSanitizer
// sees nothing (measured with Clang 14 and GCC 12 at -O1); Valgrind's Helgrind would, but
// no preset runs it. The buffer is sized up front, so the race loses characters instead
// of reallocating under the other thread.
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>

int main() {
  std::ostringstream out;
  out.str(std::string(4096, ' '));
  auto work = [&out] {
    for (int i = 0; i < 200; ++i) out.put('x');  // BUG
  };
  std::thread a(work);
  std::thread b(work);
  a.join();
  b.join();
  std::printf("%d\n", static_cast<int>(out.str().size() > 0));
  return 0;
}
