// Canary: a data race covered by an entry in sanitizers/tsan.supp. The test passes
// only when the run is clean and ThreadSanitizer lists that entry as matched.
#include <thread>

namespace {
int shared_value = 0;
}  // namespace

extern "C" __attribute__((noinline)) void memsafe_canary_suppressed_race() {
  for (int i = 0; i < 1000; ++i) ++shared_value;
}

int main() {
  std::thread first(memsafe_canary_suppressed_race);
  std::thread second(memsafe_canary_suppressed_race);
  first.join();
  second.join();
  return 0;
}
