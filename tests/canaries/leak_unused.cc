// Canary: leaks memory that is never used, allocated with malloc and with new. Above
// -O0 the optimizer may delete such allocations, and the leak with them: this canary
// fails when a preset lets it. LeakSanitizer must report a direct leak; Valgrind
// must report it as definitely lost.
#include <cstdlib>

__attribute__((noinline)) void LeakWithMalloc() { (void)std::malloc(64); }
__attribute__((noinline)) void LeakWithNew() { (void)new int[16]; }

int main() {
  LeakWithMalloc();
  LeakWithNew();
  return 0;
}
