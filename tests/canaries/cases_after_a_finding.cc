// Canary: a GoogleTest program whose first case stops at a finding still runs the case
// after it. AddressSanitizer ends the program at its first report, so the launcher runs
// the cases not run yet (memsafe next-cases); the test passes only when both findings
// are reported, the second from the rerun.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

namespace {

TEST(CasesAfterAFindingTest, OverflowsFirst) {
  char* block = static_cast<char*>(std::malloc(8));
  volatile char* bytes = block;
  std::printf("%d\n", bytes[8]);  // heap-buffer-overflow: the run stops here
  std::free(block);
}

TEST(CasesAfterAFindingTest, UsesAfterFreeSecond) {
  char* block = static_cast<char*>(std::malloc(8));
  std::free(block);
  volatile char* bytes = block;
  std::printf("%d\n", bytes[0]);  // heap-use-after-free: seen only when this case runs
}

}  // namespace
