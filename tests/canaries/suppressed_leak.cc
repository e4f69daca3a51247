// Canary: a leak covered by an entry in sanitizers/lsan.supp and sanitizers/valgrind.supp.
// The test passes only when the run is clean and the tool lists that entry as matched,
// which proves the suppression files reach the tools.
//
// The leak happens on a thread that has ended before the leak check, so no stale copy
// of the pointer in a live stack frame can make the block look reachable.
#include <cstdio>
#include <cstdlib>
#include <thread>

extern "C" __attribute__((noinline)) void* memsafe_canary_suppressed_leak() {
  void* block = std::malloc(40);
  std::printf("%p\n", block);  // used, so no optimizer can drop it
  return block;
}

int main() {
  std::thread leaker([] { (void)memsafe_canary_suppressed_leak(); });
  leaker.join();
  return 0;
}
