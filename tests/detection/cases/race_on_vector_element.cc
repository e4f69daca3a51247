// Two threads write one element of a shared vector.
#include <cstdio>
#include <thread>
#include <vector>

int main() {
  std::vector<long> totals(4, 0);
  auto add = [&totals] {
    for (int i = 0; i < 1000; ++i) totals[1] += i;  // BUG
  };
  std::thread a(add);
  std::thread b(add);
  a.join();
  b.join();
  std::printf("%ld\n", totals[1]);
  return 0;
}
