// Canary: a leak covered by an entry in sanitizers/lsan.supp and sanitizers/valgrind.supp.
// The test passes only when the run is clean and the tool lists that entry as matched,
// which proves the suppression files reach the tools.
#include <cstdio>
#include <cstdlib>

extern "C" __attribute__((noinline)) void* memsafe_canary_suppressed_leak() {
  void* block = std::malloc(40);
  std::printf("%p\n", block);  // used, so no optimizer can drop it
  return block;
}

int main() {
  memsafe_canary_suppressed_leak();
  return 0;
}
