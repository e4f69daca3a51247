// Canary: leaks memory that is never used, 64 bytes from malloc and 48 from new[].
// Above -O0 the optimizer may delete such allocations, and the leaks with them: this
// canary fails when a preset lets it. LeakSanitizer must report both as direct leaks;
// Valgrind must report them as definitely lost.
//
// The leaks happen on a thread that has ended before the leak check, so no stale copy
// of a pointer in a live stack frame or register can make the blocks look reachable.
#include <cstdlib>
#include <thread>

__attribute__((noinline)) void LeakWithMalloc() { (void)std::malloc(64); }
__attribute__((noinline)) void LeakWithNew() { (void)new int[12]; }

int main() {
  std::thread leaker([] {
    LeakWithMalloc();
    LeakWithNew();
  });
  leaker.join();
  return 0;
}
