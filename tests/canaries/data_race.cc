// Canary: two threads increment one counter without synchronization.
// ThreadSanitizer must report a data race.
#include <thread>

namespace {
int counter = 0;

__attribute__((noinline)) void Increment() {
  for (int i = 0; i < 1000; ++i) ++counter;
}
}  // namespace

int main() {
  std::thread first(Increment);
  std::thread second(Increment);
  first.join();
  second.join();
  return counter > 0 ? 0 : 1;
}
