// Bugs inside GoogleTest cases: each case runs on its own (--gtest_filter), and a tool's
// finding must name the case, also under Valgrind, which runs one process per program.
#include <cstdlib>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

namespace {

TEST(DetectionTest, HeapUseAfterFree) {
  auto* name = static_cast<char*>(std::malloc(24));
  std::strcpy(name, "account");
  std::free(name);
  EXPECT_EQ(name[0], 'a');  // BUG
}

TEST(DetectionTest, LeakedBuffer) {
  auto* scratch = static_cast<char*>(std::malloc(96));  // BUG
  std::memset(scratch, 1, 96);
  EXPECT_EQ(scratch[5], 1);
}

int g_shared_total = 0;

TEST(DetectionTest, DataRace) {
  std::thread a([] { g_shared_total += 1; });  // BUG
  std::thread b([] { g_shared_total += 2; });  // BUG
  a.join();
  b.join();
  EXPECT_GT(g_shared_total, 0);
}

TEST(DetectionTest, CleanCase) {
  auto* name = static_cast<char*>(std::malloc(24));
  std::strcpy(name, "account");
  EXPECT_EQ(name[0], 'a');
  std::free(name);
}

}  // namespace
